/**
 * `Retry-After` header parsing, with the exact rules of dandi-cli's `get_retry_after`
 * (spec client-behaviour.md §2.5): an integer number of seconds, or an HTTP date measured against
 * "now". The result is pure so it can be tested with a fixed clock; the caller logs `Ignored`.
 *
 * @since 0.1.0
 */

/**
 * How a `Retry-After` header was understood.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryAfter =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Seconds"; readonly seconds: number }
  /** The header was present but unusable; `reason` is worth a warning in the log. */
  | { readonly _tag: "Ignored"; readonly header: string; readonly reason: string }

const oneWeekSeconds = 604_800

// Python's int() accepts surrounding spaces, a sign and single underscores between digits.
const integerPattern = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/

const months: Readonly<Record<string, number>> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11
}

// RFC 2822 / RFC 7231 IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" (the day name is optional).
const datePattern =
  /^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|UT|Z|[+-]\d{4})?\s*$/

/**
 * Milliseconds since the epoch for an HTTP date, or undefined when it is not one.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseHttpDate = (text: string): number | undefined => {
  const match = datePattern.exec(text)
  if (match === null) return undefined
  const [, day, monthName, yearText, hour, minute, second, zone] = match
  const month = months[monthName!.toLowerCase()]
  if (month === undefined) return undefined
  let year = Number(yearText)
  // Two-digit years as RFC 2822 §4.3 reads them.
  if (yearText!.length === 2) year += year < 50 ? 2000 : 1900
  let offsetMinutes = 0
  if (zone !== undefined && (zone.startsWith("+") || zone.startsWith("-"))) {
    const sign = zone.startsWith("-") ? -1 : 1
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)))
  }
  const millis = Date.UTC(year, month, Number(day), Number(hour), Number(minute), Number(second ?? "0"))
  if (Number.isNaN(millis)) return undefined
  return millis - offsetMinutes * 60_000
}

/**
 * Interprets a `Retry-After` header value at `nowMillis`.
 *
 * Rules, in order: absent → Absent; integer → seconds; else HTTP date minus now, truncated to
 * whole seconds; unparseable → Ignored. Then 0 stays 0, -2 < s < 0 becomes 0, s ≤ -2 (in the past)
 * and s > one week are Ignored.
 *
 * @since 0.1.0
 * @category utils
 */
export const parse = (header: string | null | undefined, nowMillis: number): RetryAfter => {
  if (header === undefined || header === null) return { _tag: "Absent" }
  let seconds: number
  const integer = integerPattern.exec(header)
  if (integer !== null) {
    const magnitude = Number(integer[2]!.replaceAll("_", ""))
    seconds = integer[1] === "-" ? -magnitude : magnitude
  } else {
    const date = parseHttpDate(header)
    if (date === undefined) {
      return { _tag: "Ignored", header, reason: "it is neither a number of seconds nor an HTTP date" }
    }
    seconds = Math.trunc((date - nowMillis) / 1000)
  }
  if (seconds === 0) return { _tag: "Seconds", seconds: 0 }
  if (seconds < 0 && seconds > -2) return { _tag: "Seconds", seconds: 0 }
  if (seconds <= -2) return { _tag: "Ignored", header, reason: "it is in the past" }
  if (seconds > oneWeekSeconds) return { _tag: "Ignored", header, reason: "it is more than a week away" }
  return { _tag: "Seconds", seconds }
}

/**
 * The number of seconds to wait, or undefined when the header gives no usable value.
 *
 * @since 0.1.0
 * @category utils
 */
export const seconds = (retryAfter: RetryAfter): number | undefined =>
  retryAfter._tag === "Seconds" ? retryAfter.seconds : undefined
