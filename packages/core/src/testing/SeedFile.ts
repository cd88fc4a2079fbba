/**
 * JSON seed files for the archive emulator: users, dandisets and their assets, applied through
 * the admin API. Seeded paths are stored exactly as given (hostile listings are a use case).
 *
 * ```json
 * {"users": [{"username": "alice", "token": "…", "approved": true}],
 *  "dandisets": [{"identifier": "000123", "name": "Demo", "owners": ["alice"],
 *                 "embargoed": false, "metadata": {"description": "…"}, "publish": true,
 *                 "synthetic": {"assets": 1000},
 *                 "assets": [{"path": "README.md", "text": "hello"},
 *                            {"path": "data.bin", "base64": "AAEC"},
 *                            {"path": "big.nwb", "size": 1048576, "seed": 7},
 *                            {"path": "img.zarr", "zarr": {".zgroup": {"text": "{}"}}},
 *                            {"record": {"asset_id": "…", "path": "…", "metadata": {}}}]}]}
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Schema from "effect/Schema"
import * as ConfigFile from "./ConfigFile.js"
import type { ArchiveAdmin, EmulatorContent, EmulatorUser } from "./EmulatorAdmin.js"
import * as Synthetic from "./Synthetic.js"
import * as Utf8 from "./Utf8.js"

const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative()).annotations({
  message: () => "expected a whole number ≥ 0"
})
const Text = Schema.String.annotations({ message: () => "expected a string" })
const Flag = Schema.Boolean.annotations({ message: () => "expected true or false" })
const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  message: () => "expected a JSON object"
})
const Base64 = Text.pipe(
  Schema.filter((text) => Either.isRight(Encoding.decodeBase64(text)), { message: () => "not valid base64" })
)

const contentForms = ["text", "base64", "size"] as const

/** The bytes of a blob or zarr entry: `text`, `base64`, or generated `size` + `seed`. */
const ContentFields = {
  text: Schema.optional(Text),
  base64: Schema.optional(Base64),
  size: Schema.optional(NonNegativeInt),
  seed: Schema.optional(Schema.Int.annotations({ message: () => "expected a whole number" }))
}

type ContentInput = {
  readonly text?: string | undefined
  readonly base64?: string | undefined
  readonly size?: number | undefined
  readonly seed?: number | undefined
}

const contentIssue = (content: ContentInput, others: number) => {
  const forms = contentForms.filter((form) => content[form] !== undefined).length + others
  if (forms === 0) return { path: [], message: "expected one of text, base64 or size+seed" }
  if (forms > 1) return { path: [], message: "give only one of text, base64 or size+seed" }
  if (content.size !== undefined && content.seed === undefined) {
    return { path: ["seed"], message: "required with size (any whole number)" }
  }
  return undefined
}

const ZarrEntry = Schema.Struct(ContentFields).annotations({
  message: () => "expected an object with text, base64 or size+seed"
}).pipe(Schema.filter((entry) => contentIssue(entry, 0) ?? true))

const Asset = Schema.Struct({
  path: Schema.optional(Text),
  ...ContentFields,
  zarr: Schema.optional(
    Schema.Record({ key: Schema.String, value: ZarrEntry }).annotations({
      message: () => "expected an object of entry path → content"
    })
  ),
  record: Schema.optional(JsonObject)
}).annotations({ message: () => "expected an asset object" }).pipe(
  Schema.filter((asset) => {
    if (asset.record !== undefined) {
      const extra = ["path", ...contentForms, "zarr"].find((key) => asset[key as keyof typeof asset] !== undefined)
      return extra === undefined ? true : { path: [extra], message: "not allowed beside \"record\"" }
    }
    if (asset.path === undefined) return { path: ["path"], message: "required (or give a \"record\")" }
    return contentIssue(asset, asset.zarr === undefined ? 0 : 1) ?? true
  })
)

const User = Schema.Struct({
  username: Text.pipe(Schema.minLength(1, { message: () => "must not be empty" })),
  token: Schema.optional(Text),
  approved: Schema.optional(Flag),
  admin: Schema.optional(Flag),
  name: Schema.optional(Text),
  email: Schema.optional(Text)
}).annotations({ message: () => "expected a user object" })

const Dandiset = Schema.Struct({
  identifier: Schema.optional(
    Text.pipe(Schema.pattern(/^\d{6}$/, { message: () => "expected six digits, e.g. \"000123\"" }))
  ),
  name: Text,
  owners: Schema.optionalWith(Schema.Array(Text), { default: () => [] }),
  embargoed: Schema.optional(Flag),
  metadata: Schema.optional(JsonObject),
  publish: Schema.optional(Flag),
  synthetic: Schema.optional(
    Schema.Struct({
      assets: NonNegativeInt,
      seed: Schema.optional(Schema.Int.annotations({ message: () => "expected a whole number" }))
    }).annotations({ message: () => "expected {\"assets\": N}" })
  ),
  assets: Schema.optionalWith(Schema.Array(Asset).annotations({ message: () => "expected a list of assets" }), {
    default: () => []
  })
}).annotations({ message: () => "expected a dandiset object" }).pipe(
  Schema.filter((dandiset) => {
    const zarrAt = dandiset.assets.findIndex((asset) => asset.zarr !== undefined)
    if (dandiset.publish === true && zarrAt >= 0) {
      return {
        path: ["publish"],
        message: `the archive refuses to publish dandisets with zarr assets (assets[${zarrAt}] is a zarr)`
      }
    }
    if (dandiset.publish === true && dandiset.embargoed === true) {
      return { path: ["publish"], message: "embargoed dandisets cannot be published" }
    }
    return true
  })
)

export const SeedFile = Schema.Struct({
  users: Schema.optionalWith(Schema.Array(User).annotations({ message: () => "expected a list of users" }), {
    default: () => []
  }),
  dandisets: Schema.optionalWith(
    Schema.Array(Dandiset).annotations({ message: () => "expected a list of dandisets" }),
    { default: () => [] }
  )
}).annotations({ message: () => "expected an object with \"users\" and \"dandisets\"" }).pipe(
  Schema.filter((seed) => {
    const usernames = new Set(seed.users.map((user) => user.username))
    for (const [i, dandiset] of seed.dandisets.entries()) {
      for (const [j, owner] of dandiset.owners.entries()) {
        if (!usernames.has(owner)) {
          return { path: ["dandisets", i, "owners", j], message: `unknown user "${owner}": add it to "users"` }
        }
      }
    }
    const seen = new Map<string, number>()
    for (const [i, dandiset] of seed.dandisets.entries()) {
      if (dandiset.identifier === undefined) continue
      const first = seen.get(dandiset.identifier)
      if (first !== undefined) {
        return { path: ["dandisets", i, "identifier"], message: `${dandiset.identifier} is already dandisets[${first}]` }
      }
      seen.set(dandiset.identifier, i)
    }
    return true
  })
)

export type SeedFile = typeof SeedFile.Type

const decodeDocument = ConfigFile.decodeJson(SeedFile, "seed file")

/**
 * A bare JSON array of asset records (such as a dandiset backup's `assets.json`) is accepted as
 * one ownerless dandiset holding those records.
 */
const decodeRecords = (text: string): Effect.Effect<SeedFile, ConfigFile.ConfigFileError> =>
  Effect.map(
    ConfigFile.decodeJson(Schema.Array(JsonObject), "seed file")(text),
    (records): SeedFile => ({
      users: [],
      dandisets: [{ name: "Imported asset records", owners: [], assets: records.map((record) => ({ record })) }]
    })
  )

/** Decodes a seed file; errors read `seed file: dandisets[0].assets[3]: …`. */
export const decode = (text: string): Effect.Effect<SeedFile, ConfigFile.ConfigFileError> =>
  text.trimStart().startsWith("[") ? decodeRecords(text) : decodeDocument(text)

const toContent = (content: ContentInput): EmulatorContent =>
  content.text !== undefined
    ? { _tag: "Bytes", bytes: Utf8.encode(content.text) }
    : content.base64 !== undefined
    ? { _tag: "Bytes", bytes: Either.getOrThrow(Encoding.decodeBase64(content.base64)) }
    : { _tag: "Generated", size: content.size ?? 0, seed: content.seed ?? 0 }

/** Users for `--token` flags: `user-1`, `user-2`, …, approved, each with that API key. */
export const tokenUsers = (tokens: ReadonlyArray<string>): ReadonlyArray<EmulatorUser> =>
  tokens.map((token, i) => ({
    username: `user-${i + 1}`,
    token,
    approved: true,
    name: `Token User ${i + 1}`,
    email: `user-${i + 1}@example.org`
  }))

/** Seeds the archive with everything in the file, in file order. */
export const apply = (seed: SeedFile) => (admin: ArchiveAdmin): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (const user of seed.users) {
      yield* admin.addUser({ ...user, approved: user.approved ?? true })
    }
    for (const dandiset of seed.dandisets) {
      const { identifier } = yield* admin.createDandiset({
        identifier: dandiset.identifier,
        name: dandiset.name,
        owners: dandiset.owners,
        embargoed: dandiset.embargoed,
        metadata: dandiset.metadata
      })
      for (const asset of dandiset.assets) {
        if (asset.record !== undefined) {
          yield* admin.addRecordAsset(identifier, asset.record)
        } else if (asset.zarr !== undefined) {
          const entries: Record<string, EmulatorContent> = {}
          for (const [path, content] of Object.entries(asset.zarr)) entries[path] = toContent(content)
          yield* admin.addZarrAsset(identifier, asset.path!, entries)
        } else {
          yield* admin.addBlobAsset(identifier, asset.path!, toContent(asset))
        }
      }
      if (dandiset.synthetic !== undefined) {
        yield* Synthetic.addTo(admin, identifier, {
          count: dandiset.synthetic.assets,
          seed: dandiset.synthetic.seed
        })
      }
      if (dandiset.publish === true) yield* admin.publish(identifier)
    }
  })
