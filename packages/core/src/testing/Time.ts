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

const dayOf = (year: number, month: number, day: number): number | undefined => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  const real = year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  return real ? date.getTime() : undefined
}

/** Monday of ISO week 1 is the Monday on or before 4 January. */
const isoWeekDay = (year: number, week: number, weekday: number): number | undefined => {
  if (year < 1 || week < 1 || week > 53 || weekday < 1 || weekday > 7) return undefined
  const january4 = dayOf(year, 1, 4)!
  const monday = january4 - (((new Date(january4).getUTCDay() + 6) % 7) * DAY)
  const ms = monday + ((week - 1) * 7 + weekday - 1) * DAY
  // week 53 exists only in years that have it
  return week === 53 && isoWeekDay(year + 1, 1, 1) !== undefined && ms >= isoWeekDay(year + 1, 1, 1)! ? undefined : ms
}

/**
 * Midnight UTC of a date as DRF's `DateField` reads it (Django's `parse_date`): Python's
 * `date.fromisoformat` (`2030-01-05`, `20300105`, ISO week dates such as `2030-W01-6`), then
 * Django's own `YYYY-M-D` pattern; `undefined` when neither reads a real date.
 */
export const parseDate = (text: string): number | undefined => {
  const calendar = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (calendar !== null) {
    const ms = dayOf(Number(calendar[1]), Number(calendar[2]), Number(calendar[3]))
    if (ms !== undefined) return ms
  }
  const week = /^(\d{4})-W(\d{2})(?:-(\d))?$/.exec(text) ?? /^(\d{4})W(\d{2})(\d)?$/.exec(text)
  if (week !== null) {
    const ms = isoWeekDay(Number(week[1]), Number(week[2]), Number(week[3] ?? "1"))
    if (ms !== undefined) return ms
  }
  const django = /^(\d{4})-(\d{1,2})-(\d{1,2})\n?$/.exec(text)
  return django === null ? undefined : dayOf(Number(django[1]), Number(django[2]), Number(django[3]))
}

export const DAY = 86_400_000

/**
 * The UTC calendar day of an instant, counted from 1970-01-01. The archive judges dates (embargo
 * limits, the unembargo day) on calendar days, never on instants.
 */
export const utcDay = (ms: number): number => Math.floor(ms / DAY)

/** `YYYY-MM-DD` of a day counted by {@link utcDay}. */
export const dayDate = (day: number): string => date(day * DAY)
