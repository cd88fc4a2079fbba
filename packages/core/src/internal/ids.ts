/**
 * Identifiers checked before they become part of a request path: a malformed id gets a typed
 * error and no request, instead of the server's HTML 404. Version ids, whose grammar the archive
 * may widen, are percent-encoded instead.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DandisetIdentifier, ResourceUuid } from "../ApiRecords.js"
import { InvalidIdentifierError } from "../DandiError.js"

const check = (schema: Schema.Schema<string>, kind: string, hint: string) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (input: string): Effect.Effect<string, InvalidIdentifierError> =>
    Either.match(decode(input), {
      onRight: Effect.succeed,
      onLeft: (error) =>
        Effect.fail(
          new InvalidIdentifierError({
            message: `${JSON.stringify(input)} is not ${kind} id: ${
              ParseResult.TreeFormatter.formatErrorSync(error).split("\n").pop()!.trim()
            }. ${hint}`,
            kind,
            input
          })
        )
    })
}

const fromUrl = "To use a URL or a DANDI: reference, parse it with DandiUrl first."

/** Six digits, e.g. `000123`. */
export const dandiset = check(DandisetIdentifier, "a dandiset", fromUrl)

/** An asset id: a lower-case version-4 UUID. */
export const asset = check(ResourceUuid, "an asset", fromUrl)

/** A zarr id: a lower-case version-4 UUID. */
export const zarr = check(ResourceUuid, "a zarr", "Take it from the zarr asset (`asset.zarr`) or the dandiset's zarr listing.")

/** A version id as one path segment. */
export const version = (input: string): string => encodeURIComponent(input)
