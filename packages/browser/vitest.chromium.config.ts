import type {} from "@vitest/browser/providers/playwright"
import { defineProject } from "vitest/config"

// The browser package in real headless Chromium (vitest browser mode, Playwright provider).
// Chromium is Debian's /usr/bin/chromium, or CHROMIUM_PATH (scripts/ensure-chromium.sh installs it
// before `npm test`): Playwright's own browser download is never used, and `playwright` itself
// downloads nothing when installed.
//
// Test files run in the browser. `vitest.chromium.setup.ts` runs in Node before them: it starts
// the loopback archive emulator on 127.0.0.1 and provides its URL, so every API request the tests
// make is cross-origin (the page is served from localhost) and goes through real CORS.

const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // The machine's network is closed: without these Chromium keeps trying to reach Google's hosts.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

// "source" first, as in vitest.shared.ts, so workspace packages resolve to src/; then browser
// conditions for the page, Node conditions for the Node-side global setup.
const browserConditions = ["source", "module", "browser", "development|production"]
const nodeConditions = ["source", "module", "node", "import", "default"]

export default defineProject({
  resolve: { conditions: browserConditions },
  // Listed up front: found mid-run, Vite re-optimizes and reloads the page under a running test.
  optimizeDeps: { include: ["effect/Mailbox", "effect/SynchronizedRef"] },
  ssr: { resolve: { conditions: nodeConditions, externalConditions: ["source"] } },
  test: {
    name: "browser-chromium",
    include: ["test-chromium/**/*.test.ts"],
    globalSetup: ["./vitest.chromium.setup.ts"],
    setupFiles: ["./test-chromium/setup.ts"],
    testTimeout: 30_000,
    browser: {
      enabled: true,
      provider: "playwright",
      headless: true,
      screenshotFailures: false,
      instances: [{
        browser: "chromium",
        launch: { executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium", args: chromiumFlags }
      }]
    }
  }
})
