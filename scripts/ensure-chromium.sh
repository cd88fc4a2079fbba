#!/usr/bin/env bash
# The browser package's tests run in Debian's headless Chromium (vitest browser mode drives it
# through Playwright; Playwright's own browser download is never used and cannot work here).
# Installs it with apt when it is missing, so `npm test` works on a fresh machine; elsewhere it
# says what to install. CHROMIUM_PATH points the tests at another Chromium binary.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi

if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; point it at a Chromium binary." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "The browser tests need Chromium at /usr/bin/chromium. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary." >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at /usr/bin/chromium and this machine has no apt-get: install Chromium, or set CHROMIUM_PATH to its binary." >&2
  exit 1
fi

echo "Installing Debian's chromium for the browser tests…" >&2
$sudo apt-get -o Acquire::Retries=3 -qq update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300 \
  install -y -qq --no-install-recommends chromium >/dev/null
"$chromium" --version >&2
