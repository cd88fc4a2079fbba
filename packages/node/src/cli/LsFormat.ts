/**
 * How `dandi-effect ls` prints what it lists. The listing is a Stream of records, each carrying
 * its JSON form (the API's field names) and its table cells; a format turns that Stream into
 * lines for stdout.
 *
 * - `table` (default): a header, then one aligned row per record. The widths are fixed and the
 *   free text (a name, a path) comes last, so rows are printed as they arrive.
 * - `json_lines` (`--json`): one JSON object per line, streamed.
 * - `json`, `json_pp`, `yaml`: one JSON array (compact or indented) or one YAML list.
 *
 * @since 0.1.0
 */
import prettyBytes from "pretty-bytes"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { jsonText, visible } from "./TerminalText.js"

/**
 * The output formats of `ls -f`.
 *
 * @since 0.1.0
 * @category commands
 */
export const formats = ["table", "json", "json_pp", "json_lines", "yaml"] as const

/**
 * One of `formats`.
 *
 * @since 0.1.0
 * @category commands
 */
export type Format = (typeof formats)[number]

/**
 * A table layout: its columns, each with a fixed width (the last one takes the rest of the line).
 *
 * @since 0.1.0
 * @category commands
 */
export interface TableKind {
  readonly columns: ReadonlyArray<{ readonly title: string; readonly width: number; readonly align?: "right" }>
}

/**
 * One listed record: its JSON form and its cells in `kind`'s column order.
 *
 * @since 0.1.0
 * @category commands
 */
export interface Listed {
  readonly kind: TableKind
  readonly json: unknown
  readonly cells: ReadonlyArray<string>
}

/**
 * Dandisets and versions share one layout, so a dandiset's row reads like a row of its versions.
 *
 * @since 0.1.0
 * @category commands
 */
export const versionTable: TableKind = {
  columns: [
    { title: "DANDISET", width: 8 },
    { title: "VERSION", width: 14 },
    { title: "STATUS", width: 10 },
    { title: "ASSETS", width: 7, align: "right" },
    { title: "SIZE", width: 9, align: "right" },
    { title: "MODIFIED", width: 16 },
    { title: "NAME", width: 0 }
  ]
}

/**
 * An asset id is a UUID (36 characters); zarr or blob fits in 4.
 *
 * @since 0.1.0
 * @category commands
 */
export const assetTable: TableKind = {
  columns: [
    { title: "SIZE", width: 9, align: "right" },
    { title: "TYPE", width: 4 },
    { title: "MODIFIED", width: 16 },
    { title: "ASSET ID", width: 36 },
    { title: "PATH", width: 0 }
  ]
}

/**
 * Sizes as dandi-cli prints them: decimal units (`1.34 MB`).
 *
 * @since 0.1.0
 * @category commands
 */
export const humanSize = (bytes: number): string => prettyBytes(bytes)

/**
 * A server timestamp (`2024-05-01T12:34:56.789012Z`) as `2024-05-01 12:34` (UTC).
 *
 * @since 0.1.0
 * @category commands
 */
export const shortTimestamp = (timestamp: string): string => {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(timestamp)
  return match === null ? timestamp : `${match[1]} ${match[2]}`
}

const row = (kind: TableKind, cells: ReadonlyArray<string>): string =>
  kind.columns
    .map((column, index) => {
      // Names and titles come from the server: control characters are shown, never obeyed.
      const cell = visible(cells[index] ?? "")
      if (index === kind.columns.length - 1) return cell
      return column.align === "right" ? cell.padStart(column.width) : cell.padEnd(column.width)
    })
    .join("  ")
    .trimEnd()

const header = (kind: TableKind): string => row(kind, kind.columns.map((column) => column.title))

/**
 * Rows with a header before the first row of each layout; a blank line separates two tables
 * (a dandiset, then its assets).
 */
const table = <E, R>(listed: Stream.Stream<Listed, E, R>): Stream.Stream<string, E, R> =>
  listed.pipe(
    Stream.mapAccum(undefined as TableKind | undefined, (current, item) => {
      const lines = current === item.kind
        ? [row(item.kind, item.cells)]
        : [...(current === undefined ? [] : [""]), header(item.kind), row(item.kind, item.cells)]
      return [item.kind, lines] as const
    }),
    // Chunk-wise (a page of rows at a time), unlike flattenIterables' stream per element.
    Stream.mapConcat((lines) => lines)
  )

const collected = <E, R>(listed: Stream.Stream<Listed, E, R>, render: (records: Array<unknown>) => string) =>
  Stream.fromEffect(
    Effect.map(Stream.runCollect(listed), (chunk) => render(Chunk.toArray(chunk).map((item) => item.json)))
  )

// The YAML writer (≈ 110 KB) is loaded only when YAML is printed, not by every `ls`.
const loadYamlText = Effect.promise(() => import("./YamlText.js"))

/**
 * The lines to print for `listed` in `format`.
 *
 * @since 0.1.0
 * @category commands
 */
export const render = <E, R>(listed: Stream.Stream<Listed, E, R>, format: Format): Stream.Stream<string, E, R> => {
  switch (format) {
    case "table":
      return table(listed)
    case "json_lines":
      return Stream.map(listed, (item) => jsonText(item.json))
    case "json":
      return collected(listed, (records) => jsonText(records))
    case "json_pp":
      return collected(listed, (records) => jsonText(records, 2))
    case "yaml":
      // The YAML document ends with a newline; the caller prints lines.
      return Stream.unwrap(Effect.map(loadYamlText, ({ yamlText }) =>
        collected(listed, (records) => yamlText(records).replace(/\n$/, ""))))
  }
}
