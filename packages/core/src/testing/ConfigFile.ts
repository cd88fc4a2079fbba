/**
 * Decoding of the emulator's JSON configuration files (seed files, fault plans). A bad file must
 * be fixable from one line of output, so every error names the file kind and the offending field
 * path in the file's own terms: `seed file: dandisets[0].assets[3]: …`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

export class ConfigFileError extends Schema.TaggedError<ConfigFileError>("@dandi-effect/core/testing/ConfigFileError")(
  "ConfigFileError",
  { message: Schema.String }
) {}

const identifier = /^[A-Za-z_$][\w$]*$/

/** `dandisets[0].assets[3].zarr["0/.zarray"]` */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number"
        ? `${out}[${key}]`
        : !identifier.test(String(key))
        ? `${out}[${JSON.stringify(String(key))}]`
        : out === ""
        ? String(key)
        : `${out}.${String(key)}`,
    ""
  )

/** The first issue of a parse error, as `label: path: message`. */
export const formatParseError = (label: string, error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  if (first === undefined) return `${label}: invalid`
  const path = formatPath(first.path)
  const message = first._tag === "Missing" ? "required" : first.message.split("\n")[0] ?? first.message
  return path === "" ? `${label}: ${message}` : `${label}: ${path}: ${message}`
}

/** Parses JSON text and decodes it with `schema`; failures name the field in `label`'s terms. */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I>, label: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })
  return (text: string): Effect.Effect<A, ConfigFileError> =>
    Effect.suspend(() => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        return Effect.fail(new ConfigFileError({ message: `${label}: not valid JSON (${reason})` }))
      }
      return Either.match(decode(json), {
        onLeft: (error) => Effect.fail(new ConfigFileError({ message: formatParseError(label, error) })),
        onRight: (value) => Effect.succeed(value)
      })
    })
}
