/**
 * How the demo talks: numbered step headings, indented result lines, and the pure formatting
 * helpers behind them (sizes, counts, digests, URLs). The helpers are deterministic and
 * locale-independent so the demo prints the same text on every machine.
 *
 * ```ts
 * yield* heading(1, "Start an emulated archive and connect")   // "1. Start an emulated archive and connect"
 * yield* say(`api.info → server ${info.version}`)              // "   api.info → server 1.0.0"
 * formatBytes(3_158_073)  // "3.0 MiB"        shortDigest("0123…abcd-1")  // "0123456789ab…-1"
 * ```
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import type * as Effect from "effect/Effect"

/**
 * Result lines sit under their heading, aligned with its text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const indent = "   "

/**
 * A step heading: `N. Title`. A blank line before every step but the first lets the steps breathe.
 *
 * @since 0.1.0
 * @category formatting
 */
export const headingText = (step: number, title: string): string => `${step === 1 ? "" : "\n"}${step}. ${title}`

/**
 * Prints a step heading.
 *
 * @since 0.1.0
 * @category formatting
 */
export const heading = (step: number, title: string): Effect.Effect<void> => Console.log(headingText(step, title))

/**
 * One indented result line under the current heading.
 *
 * @since 0.1.0
 * @category formatting
 */
export const say = (line: string): Effect.Effect<void> => Console.log(`${indent}${line}`)

/**
 * `1234567` → `1,234,567`, whatever the locale (toLocaleString would vary by machine).
 *
 * @since 0.1.0
 * @category formatting
 */
export const groupDigits = (value: number): string => {
  const [whole = "0", fraction] = String(Math.trunc(value) === value ? value : value.toFixed(1)).split(".")
  const sign = whole.startsWith("-") ? "-" : ""
  const digits = sign === "" ? whole : whole.slice(1)
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return `${sign}${grouped}${fraction === undefined ? "" : `.${fraction}`}`
}

const units = ["KiB", "MiB", "GiB", "TiB", "PiB"] as const

/**
 * Binary units with one decimal (`16.2 KiB`); below 1 KiB the exact count (`177 B`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatBytes = (bytes: number): string => {
  if (Math.abs(bytes) < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/**
 * `1 file`, `2 files`; `plural` for nouns that do not just take an `s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const count = (n: number, singular: string, plural = `${singular}s`): string =>
  `${groupDigits(n)} ${n === 1 ? singular : plural}`

/**
 * A digest short enough for one line: the leading hex run cut to 12 characters, anything after
 * it (`-1` of a dandi-etag, `-5--16590` of a zarr checksum) kept, since that part is meaningful.
 *
 * @since 0.1.0
 * @category formatting
 */
export const shortDigest = (digest: string, keep = 12): string => {
  const match = /^([0-9a-f]+)(.*)$/i.exec(digest)
  if (match === null) return digest
  const [, hex = "", rest = ""] = match
  return hex.length <= keep ? digest : `${hex.slice(0, keep)}…${rest}`
}

/**
 * A URL without its query string or fragment: presigned storage URLs carry their credentials
 * in the query, which has no business in a terminal transcript.
 *
 * @since 0.1.0
 * @category formatting
 */
export const withoutQuery = (url: string): string => url.replace(/[?#].*$/, "")

/**
 * `scheme://host:port` of a URL, or the input itself when it is not one.
 *
 * @since 0.1.0
 * @category formatting
 */
export const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

/**
 * `a, b and c`
 *
 * @since 0.1.0
 * @category formatting
 */
export const listing = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`
