/**
 * The narrated tour behind `dandi-effect demo`: an embedded archive emulator on real sockets, and
 * the SDK (NodeDandi → DandiApi) doing what a newcomer would do with it: connect, authenticate,
 * list and search, browse a dandiset, read and verify a blob, download it to disk (interrupted and
 * resumed) and read a range of it in place, verify a zarr, then write: create a dandiset, upload a
 * file in parts, edit its metadata, wait until valid, publish; hit a typed error.
 * Every claim printed is checked (digests against the archive's, the API key's destinations
 * against the wire log), and a failed check fails the tour.
 *
 * ```ts
 * Tour.run({ key: Redacted.make("…") })   // Effect<void, TourError, Scope | Hasher>; prints to Console
 * ```
 *
 * @since 0.1.0
 */
import * as ByteSource from "@dandi-effect/core/ByteSource"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import type * as DandiApiModule from "@dandi-effect/core/DandiApi"
import type { DandiError } from "@dandi-effect/core/DandiError"
import { DigestMismatch } from "@dandi-effect/core/DandiError"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import { Hasher, toHex } from "@dandi-effect/core/Hasher"
import type { RemoteAsset } from "@dandi-effect/core/RemoteAsset"
import { RemoteBlobAsset, RemoteZarrAsset } from "@dandi-effect/core/RemoteAsset"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import { DANDI_SCHEMA_VERSION } from "@dandi-effect/core/SchemaVersion"
import { StorageClient } from "@dandi-effect/core/StorageClient"
import type { SchemaCompatibility } from "@dandi-effect/core/SchemaVersion"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as Uploader from "@dandi-effect/core/Uploader"
import * as UploadState from "@dandi-effect/core/UploadState"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import * as Downloader from "@dandi-effect/core/Downloader"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as LoopbackServer from "../emulator/LoopbackServer.js"
import { mkdtemp, readFile, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import * as NodeDandi from "../NodeDandi.js"
import * as NodeDownload from "../NodeDownload.js"
import * as NodeFileSink from "../NodeFileSink.js"
import * as NodeReadable from "../NodeReadable.js"
import { count, formatBytes, heading, listing, originOf, say, shortDigest, withoutQuery } from "./Narration.js"
import * as Wire from "./WireLog.js"

/**
 * A check the tour makes on what it was shown failed: the SDK or the emulator is wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class TourCheckFailed extends Schema.TaggedError<TourCheckFailed>("@dandi-effect/node/demo/TourCheckFailed")(
  "TourCheckFailed",
  { message: Schema.String }
) {}

/**
 * What the tour needs: the API key it signs in with, and faults for the emulator to inject.
 *
 * @since 0.1.0
 * @category models
 */
export interface TourOptions {
  /** The demo user's API key; it goes to the emulator's seed and to `authenticate`, nowhere else. */
  readonly key: Redacted.Redacted<string>
  /** Faults for the emulator to inject, so tests can watch the tour's checks catch them. */
  readonly faults?: Faults.FaultPlan | undefined
}

/**
 * The account the tour signs in as; it co-owns both demo dandisets.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoUser = { username: "newcomer", name: "New Comer", email: "newcomer@example.org" } as const

/**
 * The blob the tour reads and verifies: the largest one, so the bytes really stream.
 *
 * @since 0.1.0
 * @category constants
 */
export const blobPath = DemoSeed.demoBlobs[0].path
/**
 * The zarr the tour lists and verifies.
 *
 * @since 0.1.0
 * @category constants
 */
export const zarrPath = DemoSeed.demoZarrPath
/**
 * An identifier no demo dandiset has.
 *
 * @since 0.1.0
 * @category constants
 */
export const missingDandiset = "999999"

/**
 * The step headings, in order (the tests hold the tour to them).
 *
 * @since 0.1.0
 * @category constants
 */
export const headings = [
  "Start an embedded archive emulator and connect",
  "Authenticate with the demo user's API key",
  "List and search dandisets",
  "Open dandiset 000001: versions, folders, a glob",
  `Read one blob and verify its bytes: ${blobPath}`,
  "Download it to disk (interrupted, then resumed) and read a byte range in place",
  `Verify a zarr from its entries: ${zarrPath}`,
  "Write: create a dandiset, upload (multipart), edit metadata, validate, publish",
  "Errors are typed and say what to do",
  "What's next"
] as const

const step = (n: number) => heading(n, headings[n - 1]!)

const check = (ok: boolean, message: string) => ok ? Effect.void : Effect.fail(new TourCheckFailed({ message }))

const compatibility = (result: SchemaCompatibility): string => {
  switch (result) {
    case "same":
      return `same schema as this client (${DANDI_SCHEMA_VERSION})`
    case "server-older":
      return `server schema is older than this client's ${DANDI_SCHEMA_VERSION}; still readable`
    case "server-newer-allowed":
      return `server schema is newer than this client's ${DANDI_SCHEMA_VERSION} and accepts it`
  }
}

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

// ---------------------------------------------------------------------------------------------
// The steps. Each prints its heading first, so a failure shows where the tour stopped (step 1's
// heading comes from `run`, before the emulator starts).

const connect = Effect.fn("Tour.connect")(function*() {
  const api = yield* DandiApi
  const info = yield* api.info
  yield* say(`api.info → DANDI Archive ${info.version}, metadata schema ${info.schema_version ?? "unknown"}`)
  const compatible = yield* api.checkSchemaVersion()
  yield* say(`api.checkSchemaVersion() → compatible: ${compatibility(compatible)}`)
})

const authenticate = Effect.fn("Tour.authenticate")(function*(key: Redacted.Redacted<string>) {
  yield* step(2)
  const api = yield* DandiApi
  yield* api.authenticate(key)
  yield* say("api.authenticate(key) → accepted by /auth/token/ (the key is Redacted: never printed or logged)")
  const me = yield* api.me
  yield* say(`api.me → ${me.username} (${me.name ?? "no name"}), ${me.status.toLowerCase()}`)
  const mine = yield* collect(api.getDandisets({ mine: true }))
  yield* say(`api.getDandisets({ mine: true }) → you own ${listing(mine.map((d) => d.identifier))}`)
})

const describeDandiset = (dandiset: RemoteDandiset) =>
  Effect.gen(function*() {
    const version = yield* dandiset.version
    const where = version.isDraft ? "draft only" : `published ${version.identifier}`
    const contents = version.assetCount === 0
      ? "empty"
      : `${count(version.assetCount, "asset")}, ${formatBytes(version.size)}`
    return `${dandiset.identifier} "${version.name}", ${where}, ${contents}`
  })

const listAndSearch = Effect.fn("Tour.listAndSearch")(function*() {
  yield* step(3)
  const api = yield* DandiApi
  const all = yield* collect(api.getDandisets())
  const call = "api.getDandisets() → "
  for (const [i, dandiset] of all.entries()) {
    yield* say(`${i === 0 ? call : " ".repeat(call.length)}${yield* describeDandiset(dandiset)}`)
  }

  const found = yield* collect(api.getDandisets({ search: "mouse" }))
  yield* say(`api.getDandisets({ search: "mouse" }) → ${listing(found.map((d) => d.identifier)) || "nothing"}`)

  // Faceted search counts, per dandiset, the assets matching each facet asked for.
  const mouse = "Mus musculus - House mouse"
  const nwb = "application/x-nwb"
  const hits = yield* collect(api.searchDandisets({ species: [mouse], fileType: [nwb] }))
  const described = hits.map((hit) =>
    `${hit.dandiset.identifier}, where ${count(hit.assetCounts["species"] ?? 0, "asset")} of the latest version match`
  )
  yield* say(`api.searchDandisets({ species: [mouse], fileType: [nwb] }) → ${listing(described) || "nothing"}`)
})

const browse = Effect.fn("Tour.browse")(function*(wire: Wire.WireLogShape, apiOrigin: string) {
  yield* step(4)
  const api = yield* DandiApi
  const dandiset = yield* api.getDandiset("000001")
  const versions = yield* collect(dandiset.getVersions())
  yield* say(`getVersions() → ${
    listing(versions.map((v) => `${v.identifier} (${v.isDraft ? "" : "published, "}${count(v.assetCount, "asset")})`))
  }`)

  const draft = yield* dandiset.forVersion("draft")
  const top = yield* collect(draft.getFolder())
  const entries = top.map((entry) =>
    entry.isFolder
      ? `${entry.path}/ (${count(entry.aggregate_files, "file")}, ${formatBytes(entry.aggregate_size)})`
      : entry.path
  )
  yield* say(`draft getFolder() → ${entries.join(", ")}`)

  // Listings ask for metadata inline, so typed metadata of every asset costs no request of its own.
  const before = Wire.countTo(yield* wire.requests, apiOrigin)
  const nwbs = yield* collect(draft.getAssetsByGlob("*.nwb"))
  const metadata = yield* Effect.forEach(nwbs, (asset) => asset.getMetadata())
  const requests = Wire.countTo(yield* wire.requests, apiOrigin) - before
  const subjects = [...new Set(metadata.flatMap((md) => (md.wasAttributedTo ?? []).map((p) => p.identifier)))]
  const sessions = new Set(metadata.flatMap((md) => (md.wasGeneratedBy ?? []).map((a) => a.identifier ?? a.name)))
  yield* say(
    `getAssetsByGlob("*.nwb") → ${count(nwbs.length, "file")} from subjects ${listing(subjects)}, ${
      count(sessions.size, "session")
    }`
  )
  yield* say(`  typed metadata of all ${nwbs.length} read in ${count(requests, "API request")}: listings carry it inline`)
  return { published: dandiset, draft }
})

/** Fails unless the API key has gone to the API origin only. */
const checkKeyStayedHome = (wire: Wire.WireLogShape, apiOrigin: string) =>
  Effect.flatMap(wire.requests, (sent) => {
    const leaked = Wire.authorizedOrigins(sent).filter((origin) => origin !== apiOrigin)
    return check(leaked.length === 0, `the API key was sent to ${leaked.join(", ")}, not only to ${apiOrigin}`)
  })

const verified = (algorithm: string, expected: string, actual: string, path: string) =>
  expected === actual
    ? Effect.succeed(`${shortDigest(actual)} verified`)
    : Effect.fail(
      new DigestMismatch({
        message:
          `${path}: ${algorithm} of the downloaded bytes is ${actual}, the archive says ${expected}; run the demo again, and report it if it persists`,
        algorithm,
        expected,
        actual,
        path
      })
    )

const readBlob = Effect.fn("Tour.readBlob")(
  function*(dandiset: RemoteDandiset, wire: Wire.WireLogShape, origins: { api: string; storage: string }) {
    yield* step(5)
    const asset = yield* dandiset.getAssetByPath(blobPath)
    if (!(asset instanceof RemoteBlobAsset)) return yield* new TourCheckFailed({ message: `${blobPath} is not a blob` })
    const metadata = yield* asset.getMetadata()
    const etag = yield* asset.getRawDigest("dandi:dandi-etag")
    const sha256 = yield* asset.getRawDigest("dandi:sha2-256")
    yield* say(`getMetadata() → ${metadata.encodingFormat}, ${formatBytes(metadata.contentSize)}, dandi-etag ${shortDigest(etag)}`)

    // The API's download route answers with a redirect to a presigned storage URL.
    const url = yield* asset.getContentUrl({ regex: "/download/", followRedirects: true })
    yield* check(
      originOf(url) === origins.storage,
      `the download redirect led to ${originOf(url)}, not to storage ${origins.storage}`
    )
    yield* checkKeyStayedHome(wire, origins.api)
    yield* say(`getContentUrl({ regex: "/download/", followRedirects: true }) → ${withoutQuery(url)}`)

    // One pass over the bytes feeds both digests: sha256 on the side, the etag's parts in line.
    const storage = yield* StorageClient
    const hasher = yield* Hasher
    const sha = hasher.create("sha256")
    let received = 0
    const bytes = storage.get(url).pipe(
      Effect.map((response) => response.stream),
      Stream.unwrap,
      Stream.tap((chunk) =>
        Effect.sync(() => {
          sha.update(chunk)
          received += chunk.length
        })
      )
    )
    const actualEtag = yield* DandiEtag.stream(asset.size, blobPath)(bytes)
    yield* checkKeyStayedHome(wire, origins.api)
    const shaLine = yield* verified("sha256", sha256, toHex(sha.digest()), blobPath)
    const etagLine = yield* verified("dandi-etag", etag, actualEtag, blobPath)
    yield* say(`streamed ${formatBytes(received)} from the storage origin (token sent only to the API origin): sha256 ${shaLine}`)
    yield* say(`dandi-etag ${etagLine} (recomputed part by part from the same stream)`)
  }
)

const downloadAndRead = Effect.fn("Tour.downloadAndRead")(
  function*(dandiset: RemoteDandiset, wire: Wire.WireLogShape, origins: { api: string; storage: string }) {
    yield* step(6)
    const asset = yield* dandiset.getAssetByPath(blobPath)
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "dandi-effect-tour-"))),
      (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
    )
    const target = join(dir, basename(blobPath))
    const half = Math.floor(asset.size / 2)

    // A first run stopped half-way (as Ctrl-C or a dropped connection would) keeps its bytes.
    yield* NodeDownload.assetToFile(asset, target).pipe(
      Stream.takeUntil((event) => event._tag === "Progress" && event.done >= half),
      Stream.runDrain
    )
    const held = (yield* Effect.promise(() => stat(join(NodeFileSink.workingArea(target), "file")))).size
    yield* say(`NodeDownload.assetToFile(asset, "${basename(target)}") stopped at ${formatBytes(held)}: the partial waits in ${basename(target)}.dandidownload/`)
    const done = yield* Downloader.completion(NodeDownload.assetToFile(asset, target))
    const onDisk = yield* Effect.promise(() => stat(target))
    yield* check(done.resumedFrom === held && onDisk.size === asset.size, `the second run did not resume from ${held} bytes`)
    yield* check(done.verified.includes("dandi-etag") && done.verified.includes("sha256"), "the download was not verified")
    yield* say(`  again → resumed from ${formatBytes(done.resumedFrom)}, ${formatBytes(onDisk.size)} on disk, ${done.verified.join(" and ")} verified over the whole file`)

    // Random access: only the blocks touched are fetched, by ranged requests to storage.
    const readable = yield* NodeReadable.asReadable(asset, { blockSize: 64 * 1024 })
    const fp = readable.open()
    const offset = 1024 * 1024
    fp.seek(offset)
    const remote = yield* fp.read(16)
    const local = (yield* Effect.promise(() => readFile(target))).subarray(offset, offset + 16)
    yield* check(Buffer.compare(Buffer.from(remote), local) === 0, "asReadable returned other bytes than the download")
    yield* say(`NodeReadable.asReadable(asset): seek(${formatBytes(offset)}), read(16) → ${toHex(remote).slice(0, 16)}… (the same bytes as on disk; ${count(yield* readable.requests, "ranged request")})`)
    yield* checkKeyStayedHome(wire, origins.api)
  }
)

const verifyZarr = Effect.fn("Tour.verifyZarr")(function*(dandiset: RemoteDandiset) {
  yield* step(7)
  const asset: RemoteAsset = yield* dandiset.getAssetByPath(zarrPath)
  if (!(asset instanceof RemoteZarrAsset)) return yield* new TourCheckFailed({ message: `${zarrPath} is not a zarr` })
  const entries = yield* collect(asset.iterfiles())
  const total = entries.reduce((sum, entry) => sum + entry.size, 0)
  yield* say(`iterfiles() → ${count(entries.length, "entry", "entries")}, ${formatBytes(total)}: ${listing(entries.map((e) => e.path))}`)

  // The listing's ETags are the entries' md5s: enough to recompute the whole tree's checksum.
  const checksum = yield* ZarrChecksum.ofLeaves(entries.map((entry) => ({ path: entry.path, size: entry.size, digest: entry.etag })))
  const expected = yield* asset.getRawDigest("dandi:dandi-zarr-checksum")
  const line = yield* verified("dandi-zarr-checksum", expected, String(checksum), zarrPath)
  yield* say(`ZarrChecksum.ofLeaves(the entries' md5s) → dandi-zarr-checksum ${line}`)
})

/**
 * The tour's upload: just over one 64 MiB part, so it goes up as two parts.
 *
 * @since 0.1.0
 * @category demo
 */
export const uploadPath = "sub-tour/sub-tour_recording.bin"
const uploadSize = 65 * 2 ** 20

const write = Effect.fn("Tour.write")(function*(wire: Wire.WireLogShape, apiOrigin: string) {
  yield* step(8)
  const api = yield* DandiApi
  const dandiset = yield* api.createDandiset("A newcomer's first dandiset", {
    description: "Created by the dandi-effect tour",
    license: ["spdx:CC-BY-4.0"]
  })
  yield* say(`api.createDandiset("A newcomer's first dandiset", metadata) → ${dandiset.identifier}, a draft you own`)

  const bytes = new Uint8Array(uploadSize)
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) & 0xff
  const uploader = yield* Uploader.Uploader
  const events = yield* collect(uploader.upload({
    dandisetId: dandiset.identifier,
    source: ByteSource.fromBytes(uploadPath, bytes),
    path: uploadPath
  }))
  const initiated = events.find(Uploader.UploadEvent.$is("Initiated"))
  const done = events.find(Uploader.UploadEvent.$is("Done"))
  if (initiated === undefined || done === undefined) {
    return yield* new TourCheckFailed({ message: "the upload ended without its Initiated and Done events" })
  }
  const parts = events.filter(Uploader.UploadEvent.$is("PartUploaded")).length
  yield* check(parts === initiated.partCount, `${parts} parts were confirmed of ${initiated.partCount}`)
  yield* checkKeyStayedHome(wire, apiOrigin)
  yield* say(`uploader.upload(${formatBytes(uploadSize)} as ${uploadPath}) → ${count(parts, "part")} PUT in parallel to presigned URLs,`)
  yield* say(`  each part's ETag checked against its MD5; dandi-etag ${shortDigest(done.etag)}; no API key went to storage`)
  const metadata = yield* done.asset.getRawMetadata()
  yield* say(`  encodingFormat filled from the file name: ${String(metadata.encodingFormat)}`)

  const edited = yield* done.asset.setRawMetadata({ ...metadata, description: "A recording uploaded by the tour" })
  yield* say(`asset.setRawMetadata({ …, description }) → new asset id ${shortDigest(edited.identifier, 8)} (each change mints one)`)
  const valid = yield* dandiset.waitUntilValid({ maxTime: "60 seconds" })
  yield* say(`dandiset.waitUntilValid() → ${valid.status}, ${count(valid.assetCount, "asset")}`)
  const published = yield* dandiset.publish({ maxTime: "60 seconds" })
  const version = yield* published.versionId
  const listed = yield* collect(published.getAssets())
  yield* say(`dandiset.publish() → version ${version}: ${listing(listed.map((asset) => `${asset.path} (${formatBytes(asset.size)})`))}`)
})

const typedError = Effect.fn("Tour.typedError")(function*() {
  yield* step(9)
  const api = yield* DandiApi
  const error = yield* api.getDandiset(missingDandiset).pipe(
    Effect.flatMap(() => new TourCheckFailed({ message: `dandiset ${missingDandiset} exists, but it should not` })),
    Effect.catchTag("NotFoundError", (error) => Effect.succeed(error))
  )
  yield* say(`api.getDandiset("${missingDandiset}") fails with ${error._tag}:`)
  yield* say(`  ${error.message.trim()}`)
})

const closing = Effect.fn("Tour.closing")(function*() {
  yield* step(10)
  yield* say("Download a dandiset yourself: npx dandi-effect download -i <API URL> -o out 000001")
  yield* say("Upload a directory from the command line: npx dandi-effect upload -i URL --dandiset ID PATH…")
  yield* say("Keep an emulated archive running to explore: npx dandi-effect emulator --seed demo")
})

// ---------------------------------------------------------------------------------------------

/** Seeds the demo archive plus the tour's user, whose key is the only copy outside the tour. */
const seed = (key: Redacted.Redacted<string>) => (admin: ArchiveAdmin) =>
  Effect.zipRight(
    admin.addUser({ ...demoUser, approved: true, token: Redacted.value(key) }),
    DemoSeed.apply([demoUser.username])(admin)
  )

/**
 * Every way the tour can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type TourError =
  | DandiError
  | DandiApiModule.LayerError
  | LoopbackServer.LoopbackBindError
  | TourCheckFailed

/**
 * Runs the tour: starts the loopback emulator with the demo seed, then lists, searches, reads and verifies through the SDK, narrating each step.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = Effect.fn("Tour.run")(function*(options: TourOptions) {
  yield* step(1)
  const loopback = yield* LoopbackServer.make({ seed: seed(options.key), faults: options.faults })
  const origins = { api: originOf(loopback.apiUrl), storage: originOf(loopback.storageUrl) }
  yield* say(`API ${loopback.apiUrl}, storage ${loopback.storageUrl} (both on loopback; nothing leaves this machine)`)

  const wire = yield* Wire.make
  const sdk = NodeDandi.layer({
    instance: loopback.apiUrl,
    // The emulator is ours: no /info/ round trip to discover it, no keyring to read or write.
    discover: false,
    tokenStore: TokenStore.layerMemory,
    uploadState: UploadState.layerDisabled,
    httpClient: Wire.httpClient.pipe(Layer.provide(Layer.succeed(Wire.WireLog, wire)))
  })

  yield* Effect.gen(function*() {
    yield* connect()
    yield* authenticate(options.key)
    yield* listAndSearch()
    const { draft, published } = yield* browse(wire, origins.api)
    yield* readBlob(published, wire, origins)
    yield* downloadAndRead(published, wire, origins)
    yield* verifyZarr(draft)
    yield* write(wire, origins.api)
    yield* typedError()
    yield* closing()
  }).pipe(Effect.provide(sdk))
}) satisfies (options: TourOptions) => Effect.Effect<void, TourError, Scope.Scope | Hasher>
