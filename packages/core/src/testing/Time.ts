/**
 * Timestamp renderings the archive uses: DRF fields end in `Z` with microseconds (omitted when
 * zero), metadata uses Python's `isoformat()` with `+00:00`, zarr listings a space separator.
 *
 * @since 0.1.0
 */

const fraction = (ms: number): string => {
  const millis = ((ms % 1000) + 1000) % 1000
  return millis === 0 ? "" : `.${String(millis).padStart(3, "0")}000`
}

const base = (ms: number): string => new Date(ms - (((ms % 1000) + 1000) % 1000)).toISOString().slice(0, 19)

/** `2024-02-17T18:00:59.741000Z` */
export const api = (ms: number): string => `${base(ms)}${fraction(ms)}Z`

/** `2024-02-17T18:00:59.741000+00:00` */
export const metadata = (ms: number): string => `${base(ms)}${fraction(ms)}+00:00`

/** `2024-05-01 14:03:22.123000+00:00` */
export const zarrListing = (ms: number): string => `${base(ms).replace("T", " ")}${fraction(ms)}+00:00`

/** `YYYY-MM-DD` of a UTC instant. */
export const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** `0.YYMMDD.HHMM` of a UTC instant. */
export const publishedVersion = (ms: number): string => {
  const iso = new Date(ms).toISOString()
  return `0.${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}.${iso.slice(11, 13)}${iso.slice(14, 16)}`
}

/** Midnight UTC of a `YYYY-MM-DD` string, or `undefined` when it is not a real date. */
export const parseDate = (text: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined
  const ms = Date.parse(`${text}T00:00:00Z`)
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? undefined : ms
}

export const DAY = 86_400_000

/**
 * The UTC calendar day of an instant, counted from 1970-01-01. The archive judges dates (embargo
 * limits, the unembargo day) on calendar days, never on instants.
 */
export const utcDay = (ms: number): number => Math.floor(ms / DAY)

/** `YYYY-MM-DD` of a day counted by {@link utcDay}. */
export const dayDate = (day: number): string => date(day * DAY)
