/**
 * The dandischema metadata version this SDK speaks, and the rule dandi-cli applies to decide
 * whether a server's schema version is compatible with it (`check_schema_version`).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { ServerInfo } from "./ApiRecords.js"
import { SchemaVersionError } from "./DandiError.js"

/**
 * The schema version of the metadata models in `Metadata.ts` (dandischema `DANDI_SCHEMA_VERSION`).
 *
 * @since 0.1.0
 * @category constants
 */
export const DANDI_SCHEMA_VERSION = "0.7.0"

/**
 * Schema versions the archive accepts as input and can upgrade (dandischema `ALLOWED_INPUT_SCHEMAS`).
 * Used when the server's `/info/` does not list `allowed_schema_versions`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ALLOWED_INPUT_SCHEMAS: ReadonlyArray<string> = [
  "0.4.4",
  "0.5.1",
  "0.5.2",
  "0.6.0",
  "0.6.1",
  "0.6.2",
  "0.6.3",
  "0.6.4",
  "0.6.5",
  "0.6.6",
  "0.6.7",
  "0.6.8",
  "0.6.9",
  "0.6.10",
  "0.7.0"
]

/**
 * The release numbers of a version (`"0.6.10"` → `[0, 6, 10]`). Schema versions are plain
 * release numbers; a leading `v` and PEP 440 suffixes (`rc1`, `.post1`, `+local`) are not part of
 * any schema version and make this return undefined.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseVersion = (text: string): ReadonlyArray<number> | undefined => {
  const trimmed = text.trim()
  if (!/^\d+(\.\d+)*$/.test(trimmed)) return undefined
  return trimmed.split(".").map(Number)
}

/**
 * Compares release numbers numerically, padding the shorter with zeros (`0.6.10` > `0.6.9`,
 * `1.0` == `1.0.0`). Returns -1, 0 or 1.
 *
 * @since 0.1.0
 * @category utils
 */
export const compareVersions = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): -1 | 0 | 1 => {
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const left = a[i] ?? 0
    const right = b[i] ?? 0
    if (left !== right) return left < right ? -1 : 1
  }
  return 0
}

/**
 * How a compatible server relates to the client: same version, older (dandi-cli logs a warning),
 * or newer but listed as an upgradable input.
 *
 * @since 0.1.0
 * @category models
 */
export type SchemaCompatibility = "same" | "server-older" | "server-newer-allowed"

const unparsable = (which: string, version: string, server: string, client: string) =>
  new SchemaVersionError({
    message: `The ${which} schema version ${JSON.stringify(version)} is not a version number like 0.7.0; check the server's /info/ or the schema version you passed.`,
    server,
    client
  })

/**
 * dandi-cli's `check_schema_version` rule, as a pure function.
 *
 * - server missing or empty → error;
 * - server > ours → allowed only if `ours` is listed in `allowed` (the server's
 *   `allowed_schema_versions`, or `ALLOWED_INPUT_SCHEMAS` when the server gave none);
 * - server ≤ ours → incompatible when the majors differ, or when the major is 0 and the minors differ.
 *
 * Versions are compared numerically, never as strings. An `Either` is also an Effect, so
 * `yield* checkSchemaVersion(…)` fails the surrounding effect with the SchemaVersionError.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkSchemaVersion = (
  server: string | null | undefined,
  ours: string = DANDI_SCHEMA_VERSION,
  allowed: ReadonlyArray<string> = ALLOWED_INPUT_SCHEMAS
): Either.Either<SchemaCompatibility, SchemaVersionError> => {
  if (server === undefined || server === null || server === "") {
    return Either.left(
      new SchemaVersionError({
        message: "Server did not provide schema_version in /info/; it may not be a DANDI Archive API, check the instance URL.",
        server: "",
        client: ours
      })
    )
  }
  const serverVersion = parseVersion(server)
  if (serverVersion === undefined) return Either.left(unparsable("server's", server, server, ours))
  const ourVersion = parseVersion(ours)
  if (ourVersion === undefined) return Either.left(unparsable("client's", ours, server, ours))

  const order = compareVersions(serverVersion, ourVersion)
  if (order > 0) {
    if (allowed.includes(ours)) return Either.right("server-newer-allowed")
    return Either.left(
      new SchemaVersionError({
        message: `Server uses schema version ${server}; client only supports prior ${ours} and it is not among any of the allowed upgradable schema versions (${
          allowed.join(", ")
        }).  You may need to upgrade dandi and/or dandischema.`,
        server,
        client: ours
      })
    )
  }
  const [serverMajor = 0, serverMinor = 0] = serverVersion
  const [ourMajor = 0, ourMinor = 0] = ourVersion
  const incompatible = serverMajor !== ourMajor || (serverMajor === 0 && serverMinor !== ourMinor)
  if (incompatible) {
    return Either.left(
      new SchemaVersionError({
        message: `Server uses older incompatible schema version ${server}; client supports ${ours}.`,
        server,
        client: ours
      })
    )
  }
  return Either.right(order === 0 ? "same" : "server-older")
}

/**
 * `checkSchemaVersion` against a decoded `/info/`: its `schema_version`, and its
 * `allowed_schema_versions` when it lists them (else `ALLOWED_INPUT_SCHEMAS`).
 *
 * @since 0.1.0
 * @category utils
 */
export const checkServerInfo = (
  info: Pick<ServerInfo, "schema_version" | "allowed_schema_versions">,
  ours: string = DANDI_SCHEMA_VERSION
): Either.Either<SchemaCompatibility, SchemaVersionError> =>
  checkSchemaVersion(info.schema_version, ours, info.allowed_schema_versions ?? ALLOWED_INPUT_SCHEMAS)
