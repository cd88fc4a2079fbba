/**
 * `dandi-effect demo` (`npm start`): starts the loopback emulator with the demo archive, shows a
 * few requests it answers, and exits 0. The fully narrated walkthrough builds on this.
 */
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as Command from "@effect/cli/Command"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import * as LoopbackServer from "../emulator/LoopbackServer.js"
import * as NodeHasher from "../NodeHasher.js"
import { CliFailure } from "./CliFailure.js"

const Info = Schema.Struct({ schema_version: Schema.String, version: Schema.String })
const DandisetPage = Schema.Struct({
  count: Schema.Number,
  results: Schema.Array(Schema.Struct({
    identifier: Schema.String,
    draft_version: Schema.Struct({ name: Schema.String, asset_count: Schema.Number, status: Schema.String }),
    most_recent_published_version: Schema.NullOr(Schema.Struct({ version: Schema.String }))
  }))
})
const AssetPage = Schema.Struct({
  count: Schema.NullOr(Schema.Number),
  results: Schema.Array(Schema.Struct({
    asset_id: Schema.String,
    path: Schema.String,
    size: Schema.Number,
    metadata: Schema.optional(Schema.Struct({ digest: Schema.Record({ key: Schema.String, value: Schema.String }) }))
  }))
})

const getJson = <A, I>(schema: Schema.Schema<A, I>, url: string) =>
  HttpClient.get(url).pipe(
    Effect.flatMap((response) => response.json),
    Effect.flatMap(Schema.decodeUnknown(schema))
  )

const tour = (apiUrl: string) =>
  Effect.gen(function*() {
    const info = yield* getJson(Info, `${apiUrl}/info/`)
    yield* Console.log(`GET /info/                         → server ${info.version}, metadata schema ${info.schema_version}`)

    const dandisets = yield* getJson(DandisetPage, `${apiUrl}/dandisets/`)
    yield* Console.log(`GET /dandisets/                    → ${dandisets.count} dandisets`)
    for (const dandiset of dandisets.results) {
      const published = dandiset.most_recent_published_version?.version ?? "unpublished"
      yield* Console.log(
        `    ${dandiset.identifier}  ${dandiset.draft_version.name} (draft: ${dandiset.draft_version.asset_count} assets, ${published})`
      )
    }

    const assets = yield* getJson(AssetPage, `${apiUrl}/dandisets/000001/versions/draft/assets/?metadata=1&page_size=100`)
    yield* Console.log(`GET /dandisets/000001/versions/draft/assets/ → ${assets.results.length} assets`)
    for (const asset of assets.results) yield* Console.log(`    ${asset.path}  (${asset.size} bytes)`)

    const readme = assets.results.find((asset) => asset.path === "README.md")
    if (readme === undefined) return
    const redirect = yield* HttpClient.execute(HttpClientRequest.get(`${apiUrl}/assets/${readme.asset_id}/download/`))
    const location = redirect.headers["location"] ?? ""
    yield* Console.log(`GET /assets/{README}/download/     → ${redirect.status} to ${location.split("?")[0]}`)
    const bytes = new Uint8Array(yield* Effect.flatMap(HttpClient.get(location), (response) => response.arrayBuffer))
    const sha256 = createHash("sha256").update(bytes).digest("hex")
    const expected = readme.metadata?.digest["dandi:sha2-256"]
    yield* Console.log(
      `    ${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}… ${
        sha256 === expected ? "matches the archive's digest" : "does NOT match the archive's digest"
      }`
    )
  })

export const demoCommand = Command.make("demo", {}, () =>
  Effect.gen(function*() {
    const loopback = yield* LoopbackServer.make({ seed: DemoSeed.apply() })
    yield* Console.log(`API: ${loopback.apiUrl}`)
    yield* Console.log(`Storage: ${loopback.storageUrl}`)
    yield* Console.log("Demo archive: 000001 (published + draft with a zarr), 000002 (empty draft)")
    yield* tour(loopback.apiUrl)
    yield* Console.log("Run `npx dandi-effect emulator --seed demo` to keep an emulator running.")
  }).pipe(
    Effect.scoped,
    Effect.provide([NodeHasher.layer, NodeHttpClient.layerUndici]),
    Effect.mapError((error) => new CliFailure({ message: `demo: ${error.message}` }))
  )).pipe(Command.withDescription("Start an emulated archive and show what it answers"))
