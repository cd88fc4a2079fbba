/**
 * LocalUpload's `existing` policies (dandi-cli's, spec client-behaviour §5.2), one by one, over
 * real sockets against the loopback emulator: for a path that already holds an asset, what each
 * policy decides, and what reaches the archive because of it (asserted on the requests the
 * emulator received, and on the draft afterwards).
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as DigestCacheModule from "@dandi-effect/node/DigestCache"
import * as LocalUpload from "@dandi-effect/node/LocalUpload"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dandisetId, makeWorld } from "./support/UploadWorld.js"

const world = makeWorld()
const digestCache = DigestCacheModule.make(mkdtempSync(join(tmpdir(), "dandi-policies-cache-")))

const june = new Date("2024-06-01T12:00:00Z")
const january = new Date("2024-01-01T12:00:00Z")
const july = new Date("2024-07-01T12:00:00Z")

/** A directory holding `name` with `content`, last modified at `mtime`. */
const localFile = (name: string, content: string, mtime: Date) => {
  const dir = mkdtempSync(join(tmpdir(), "dandi-policies-"))
  writeFileSync(join(dir, name), content)
  utimesSync(join(dir, name), mtime, mtime)
  return dir
}

/** Uploads `name` from `dir` under `existing`; the file's outcome and what the emulator received meanwhile. */
const upload = (dir: string, name: string, existing: LocalUpload.ExistingPolicy) =>
  Effect.gen(function*() {
    const before = world.observed.length
    const events = yield* LocalUpload.upload({ dandisetId, paths: [name], cwd: dir, existing }).pipe(
      Stream.runCollect,
      Effect.provideService(DigestCacheModule.DigestCache, digestCache)
    )
    const outcomes = Chunk.toReadonlyArray(events).flatMap((event) => event._tag === "Finished" ? [event.outcome] : [])
    expect(outcomes).toHaveLength(1)
    const received = world.observed.slice(before)
    return {
      outcome: outcomes[0]!,
      initializes: received.filter((o) => o.path.endsWith("/uploads/initialize/")).length,
      storagePuts: received.filter((o) => o.origin === "s3" && o.method === "PUT").length,
      assetWrites: received.filter((o) => o.origin === "api" && (o.method === "POST" || o.method === "PUT") && o.path.includes("/assets/")).length
    }
  })

/** The draft's assets at `path`, with their ids and dandi-etags. */
const remoteAt = (path: string) =>
  Effect.gen(function*() {
    const api = yield* DandiApi
    const assets = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listAssets(dandisetId, "draft")))
    return yield* Effect.forEach(
      assets.filter((asset) => asset.path === path),
      (asset) => Effect.map(asset.getRawDigest("dandi:dandi-etag"), (etag) => ({ id: asset.identifier, etag }))
    )
  })

/** Puts `content` at `name` (modified in June) and returns the asset it became. */
const seeded = (name: string, content: string) =>
  Effect.gen(function*() {
    const { outcome } = yield* upload(localFile(name, content, june), name, "refresh")
    expect(outcome._tag).toBe("Uploaded")
    const [asset] = yield* remoteAt(name)
    return asset!
  })

layer(world.layer, { excludeTestServices: true })("existing policies over loopback", (it) => {
  describe("error", () => {
    it.effect("fails the file with rule asset-exists, sends nothing, and the asset stays", () =>
      Effect.gen(function*() {
        const before = yield* seeded("error.txt", "remote bytes")
        const run = yield* upload(localFile("error.txt", "local bytes", july), "error.txt", "error")
        expect(run.outcome._tag).toBe("Failed")
        if (run.outcome._tag !== "Failed") return
        expect(run.outcome.error).toMatchObject({ _tag: "UploadRefusedError", rule: "asset-exists", path: "error.txt" })
        expect(run.outcome.error.message).toContain("error.txt already exists")
        expect(run.outcome.error.message).toContain("skip")
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([0, 0, 0])
        expect(yield* remoteAt("error.txt")).toEqual([before])
      }))
  })

  describe("skip", () => {
    it.effect("keeps the asset even when the local file differs and is newer; nothing is sent", () =>
      Effect.gen(function*() {
        const before = yield* seeded("skip.txt", "remote bytes")
        const run = yield* upload(localFile("skip.txt", "different local bytes", july), "skip.txt", "skip")
        expect(run.outcome).toMatchObject({ _tag: "Skipped", reason: "exists" })
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([0, 0, 0])
        expect(yield* remoteAt("skip.txt")).toEqual([before])
      }))
  })

  describe("overwrite", () => {
    it.effect("skips the same content without a request", () =>
      Effect.gen(function*() {
        const before = yield* seeded("overwrite-same.txt", "same bytes")
        const run = yield* upload(localFile("overwrite-same.txt", "same bytes", july), "overwrite-same.txt", "overwrite")
        expect(run.outcome).toMatchObject({ _tag: "Skipped", reason: "same content" })
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([0, 0, 0])
        expect(yield* remoteAt("overwrite-same.txt")).toEqual([before])
      }))

    it.effect("replaces different content even when the local file is older than the remote blob", () =>
      Effect.gen(function*() {
        const before = yield* seeded("overwrite.txt", "remote bytes")
        const run = yield* upload(localFile("overwrite.txt", "older local bytes", january), "overwrite.txt", "overwrite")
        expect(run.outcome._tag).toBe("Uploaded")
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([1, 1, 1])
        const after = yield* remoteAt("overwrite.txt")
        expect(after).toHaveLength(1)
        expect(after[0]!.id).not.toBe(before.id)
        expect(after[0]!.etag).not.toBe(before.etag)
      }))
  })

  describe("refresh", () => {
    it.effect("skips different content when the remote blob is at least as new as the file", () =>
      Effect.gen(function*() {
        const before = yield* seeded("refresh-older.txt", "remote bytes")
        const run = yield* upload(localFile("refresh-older.txt", "older local bytes", january), "refresh-older.txt", "refresh")
        expect(run.outcome).toMatchObject({ _tag: "Skipped", reason: "remote is newer" })
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([0, 0, 0])
        expect(yield* remoteAt("refresh-older.txt")).toEqual([before])
      }))

    it.effect("replaces different content when the file is newer than the remote blob", () =>
      Effect.gen(function*() {
        const before = yield* seeded("refresh-newer.txt", "remote bytes")
        const run = yield* upload(localFile("refresh-newer.txt", "newer local bytes", july), "refresh-newer.txt", "refresh")
        expect(run.outcome._tag).toBe("Uploaded")
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([1, 1, 1])
        const after = yield* remoteAt("refresh-newer.txt")
        expect(after).toHaveLength(1)
        expect(after[0]!.id).not.toBe(before.id)
        expect(after[0]!.etag).not.toBe(before.etag)
      }))

    it.effect("skips the same content without a request, however new the file", () =>
      Effect.gen(function*() {
        const before = yield* seeded("refresh-same.txt", "same bytes")
        const run = yield* upload(localFile("refresh-same.txt", "same bytes", july), "refresh-same.txt", "refresh")
        expect(run.outcome).toMatchObject({ _tag: "Skipped", reason: "same content" })
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([0, 0, 0])
        expect(yield* remoteAt("refresh-same.txt")).toEqual([before])
      }))
  })

  describe("force", () => {
    it.effect("replaces even the same content: the stored blob is reused (no bytes sent) under a new asset", () =>
      Effect.gen(function*() {
        const before = yield* seeded("force.txt", "same bytes")
        const run = yield* upload(localFile("force.txt", "same bytes", january), "force.txt", "force")
        expect(run.outcome._tag).toBe("Uploaded")
        if (run.outcome._tag === "Uploaded") expect(run.outcome.result.deduplicated).toBe(true)
        expect([run.initializes, run.storagePuts, run.assetWrites]).toEqual([1, 0, 1])
        const after = yield* remoteAt("force.txt")
        expect(after).toHaveLength(1)
        expect(after[0]!.id).not.toBe(before.id)
        expect(after[0]!.etag).toBe(before.etag)
      }))
  })
})
