/**
 * Blob uploads over real sockets (undici) against the loopback emulator: single-part, dedup,
 * replace, multipart, storage faults, resuming an interrupted upload, and starting over when the saved presigned URLs have
 * expired — asserting on the requests the emulator received.
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as Uploader from "@dandi-effect/core/Uploader"
import { HashWorkerPool } from "@dandi-effect/node/HashWorkerPool"
import * as NodeByteSource from "@dandi-effect/node/NodeByteSource"
import * as ParallelEtag from "@dandi-effect/node/ParallelEtag"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Clock, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { closeSync, openSync, writeSync } from "node:fs"
import type { UploadWorld } from "./support/UploadWorld.js"
import { clockAhead, dandisetId, dataFile, makeWorld, MiB, storagePuts, twoPartSize } from "./support/UploadWorld.js"

const draftPaths = Effect.gen(function*() {
  const api = yield* DandiApi
  const assets = yield* Stream.runCollect(api.listAssets(dandisetId, "draft"))
  return Chunk.toReadonlyArray(assets).map((asset) => asset.path)
})

const upload = (path: string, assetPath: string, options: Partial<Uploader.BlobUploadOptions> = {}) =>
  Effect.gen(function*() {
    const source = yield* NodeByteSource.fromPath(path)
    const uploader = yield* Uploader.Uploader
    return yield* uploader.uploadBlob({ dandisetId, source, path: assetPath, ...options })
  })

describe("single-part upload, dedup and replace", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("a small file goes up as one part PUT with its exact Content-Length and no token", () =>
      Effect.gen(function*() {
        const file = dataFile("single", 3 * MiB)
        const before = world.observed.length
        const result = yield* upload(file, "sub-1/single.bin")
        const received = world.observed.slice(before)
        const puts = received.filter((o) => o.origin === "s3" && o.method === "PUT")
        expect(puts.map((p) => [p.partNumber, p.contentLength, p.authorization])).toEqual([[1, String(3 * MiB), undefined]])
        expect(received.filter((o) => o.path.endsWith("/complete/"))).toHaveLength(1)
        expect(result).toMatchObject({ deduplicated: false, partsSent: 1 })
        expect(result.etag).toMatch(/-1$/)
        expect(result.asset.size).toBe(3 * MiB)
        expect(yield* result.asset.getRawDigest("dandi:dandi-etag")).toBe(result.etag)
        expect(yield* draftPaths).toContain("sub-1/single.bin")
      }))

    it.effect("bytes the archive already stores: the blob is reused and not one byte goes to storage", () =>
      Effect.gen(function*() {
        const file = dataFile("dedup", 2 * MiB)
        const first = yield* upload(file, "dedup/first.bin")
        const before = world.observed.length
        const second = yield* upload(file, "dedup/second.bin")
        const received = world.observed.slice(before)
        expect(received.filter((o) => o.path.endsWith("/uploads/initialize/"))).toHaveLength(1)
        expect(received.filter((o) => o.origin === "s3")).toEqual([])
        expect(received.some((o) => o.path.endsWith("/complete/"))).toBe(false)
        expect(second).toMatchObject({ deduplicated: true, partsSent: 0, blobId: first.blobId })
        expect(second.asset.identifier).not.toBe(first.asset.identifier)
        expect(yield* draftPaths).toEqual(expect.arrayContaining(["dedup/first.bin", "dedup/second.bin"]))
      }))

    it.effect("replacing an asset PUTs it: the path keeps one asset, with a new id and the new bytes", () =>
      Effect.gen(function*() {
        const old = yield* upload(dataFile("replace-old", MiB), "replaced.bin")
        const before = world.observed.length
        const replaced = yield* upload(dataFile("replace-new", 2 * MiB), "replaced.bin", { replacing: old.asset.identifier })
        const received = world.observed.slice(before)
        expect(received.filter((o) => o.origin === "api" && o.method === "PUT" && o.path.includes(`/assets/${old.asset.identifier}/`)))
          .toHaveLength(1)
        expect(replaced.asset.identifier).not.toBe(old.asset.identifier)
        const api = yield* DandiApi
        const atPath = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listAssets(dandisetId, "draft")))
          .filter((asset) => asset.path === "replaced.bin")
        expect(atPath.map((asset) => [asset.identifier, asset.size])).toEqual([[replaced.asset.identifier, 2 * MiB]])
        expect(yield* atPath[0]!.getRawDigest("dandi:dandi-etag")).toBe(replaced.etag)
      }))
  })
})

describe("multipart upload", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("sends each part once with its exact Content-Length and no token; the asset carries the file's etag", () =>
      Effect.gen(function*() {
        const file = dataFile("multipart", twoPartSize)
        const result = yield* upload(file, "sub-1/big.bin")
        const puts = storagePuts(world)
        expect(puts.map((p) => [p.partNumber, p.contentLength])).toEqual(
          expect.arrayContaining([[1, String(64 * MiB)], [2, String(MiB)]])
        )
        expect(puts).toHaveLength(2)
        expect(world.observed.filter((o) => o.origin === "s3").every((o) => o.authorization === undefined)).toBe(true)
        expect(result.etag).toMatch(/-2$/)
        expect(result.asset.size).toBe(twoPartSize)
        expect(yield* result.asset.getRawDigest("dandi:dandi-etag")).toBe(result.etag)
        expect(yield* draftPaths).toEqual(["sub-1/big.bin"])
      }))
  })
})

describe("a part PUT that fails with 500 once", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "status", status: 500, times: 1 }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("is sent again, and the upload completes", () =>
      Effect.gen(function*() {
        const file = dataFile("retry", 3 * MiB)
        const result = yield* upload(file, "retried.bin")
        expect(storagePuts(world).map((p) => p.partNumber)).toEqual([1, 1])
        expect(result.asset.size).toBe(3 * MiB)
        expect(yield* draftPaths).toEqual(["retried.bin"])
      }))
  })
})

describe("a store that answers a part with the wrong ETag", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "etag", times: 1 }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("fails with DigestMismatch, completes nothing and creates no asset", () =>
      Effect.gen(function*() {
        const file = dataFile("etag", 2 * MiB)
        const error = yield* Effect.flip(upload(file, "damaged.bin"))
        expect(error._tag).toBe("DigestMismatch")
        expect(error.message).toContain("part 1")
        expect(world.observed.some((o) => o.path.endsWith("/complete/"))).toBe(false)
        expect(yield* draftPaths).toEqual([])
      }))
  })
})

describe("an expired presigned URL", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "expire" }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("fails with PresignedUrlExpired at once (no retries) and creates no asset", () =>
      Effect.gen(function*() {
        const file = dataFile("expired", 2 * MiB)
        const error = yield* Effect.flip(upload(file, "late.bin"))
        expect(error._tag).toBe("PresignedUrlExpired")
        expect(error.message).not.toContain("X-Amz-Signature")
        expect(storagePuts(world)).toHaveLength(1)
        expect(yield* draftPaths).toEqual([])
      }))
  })
})

describe("an upload interrupted after its first part", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("creates nothing; the next upload of the same file sends only the missing part", () =>
      Effect.gen(function*() {
        const file = dataFile("resume", twoPartSize)
        // Hold part 2 on arrival: part 1 is then confirmed (and saved) with one part in flight.
        const part2Arrived = yield* Deferred.make<void>()
        world.control.hold = (request) =>
          request.origin === "s3" && request.partNumber === 2
            ? Effect.zipRight(Deferred.succeed(part2Arrived, undefined), Effect.never)
            : Effect.void
        const first = yield* Effect.fork(upload(file, "resumed.bin", { partConcurrency: 1 }))
        yield* Deferred.await(part2Arrived)
        const exit = yield* Fiber.interrupt(first)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* draftPaths).toEqual([])
        expect(storagePuts(world).map((p) => p.partNumber)).toEqual([1, 2])

        world.control.hold = undefined
        const before = world.observed.length
        const events: Array<Uploader.UploadEvent> = []
        const result = yield* upload(file, "resumed.bin", { partConcurrency: 1 }).pipe(
          Effect.provideServiceEffect(
            Uploader.Uploader,
            Effect.map(Uploader.Uploader, (u) => ({
              ...u,
              uploadBlob: (options: Uploader.BlobUploadOptions) =>
                u.uploadBlob(options, (event) => Effect.sync(() => void events.push(event)))
            }))
          )
        )
        const second = world.observed.slice(before)
        expect(second.filter((o) => o.origin === "s3" && o.method === "PUT").map((o) => o.partNumber)).toEqual([2])
        expect(second.some((o) => o.path.endsWith("/uploads/initialize/"))).toBe(false)
        expect(result.resumed).toBe(true)
        expect(result.partsSent).toBe(1)
        const initiated = events.find(Uploader.UploadEvent.$is("Initiated"))
        expect(initiated).toMatchObject({ resumed: true, partCount: 2, partsToSend: 1 })
        expect(yield* result.asset.getRawDigest("dandi:dandi-etag")).toBe(result.etag)
        expect(yield* draftPaths).toEqual(["resumed.bin"])
      }))
  })
})

const week = 7 * 24 * 3600 * 1000

/** Starts an upload of `file` one part at a time and interrupts it once part 1 is confirmed. */
const interruptedAfterPart1 = (world: UploadWorld, file: string, assetPath: string) =>
  Effect.gen(function*() {
    const part2Arrived = yield* Deferred.make<void>()
    world.control.hold = (request) =>
      request.origin === "s3" && request.partNumber === 2
        ? Effect.zipRight(Deferred.succeed(part2Arrived, undefined), Effect.never)
        : Effect.void
    const first = yield* Effect.fork(upload(file, assetPath, { partConcurrency: 1 }))
    yield* Deferred.await(part2Arrived)
    expect(Exit.isInterrupted(yield* Fiber.interrupt(first))).toBe(true)
    world.control.hold = undefined
    const firstPuts = storagePuts(world)
    expect(firstPuts.map((p) => p.partNumber)).toEqual([1, 2])
    return firstPuts[0]!.uploadId!
  })

describe("a resumed upload whose presigned URLs the store has expired", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("tries the saved URL once (403 expired), then starts over with new URLs and sends every part", () =>
      Effect.gen(function*() {
        const file = dataFile("expired-resume", twoPartSize)
        const oldUpload = yield* interruptedAfterPart1(world, file, "expired.bin")
        // A week on for the store; the SDK, pinned to the real time, still believes the saved
        // URLs (valid 7 days) — as after a clock skew, or URLs revoked early.
        world.control.emulatorAheadMs = week + 60_000
        const before = world.observed.length
        const result = yield* upload(file, "expired.bin", { partConcurrency: 1 }).pipe(Effect.withClock(clockAhead(() => 0)))
        const second = world.observed.slice(before)
        const puts = second.filter((o) => o.origin === "s3" && o.method === "PUT")
        expect(puts[0]).toMatchObject({ partNumber: 2, uploadId: oldUpload })
        const newUpload = puts[1]!.uploadId
        expect(newUpload).not.toBe(oldUpload)
        expect(puts.slice(1).map((p) => [p.partNumber, p.uploadId])).toEqual([[1, newUpload], [2, newUpload]])
        expect(second.filter((o) => o.path.endsWith("/uploads/initialize/"))).toHaveLength(1)
        expect(result).toMatchObject({ resumed: false, partsSent: 2, deduplicated: false })
        expect(yield* result.asset.getRawDigest("dandi:dandi-etag")).toBe(result.etag)
        expect(yield* draftPaths).toEqual(["expired.bin"])
      }))
  })
})

describe("a saved upload whose presigned URLs have expired by the SDK's clock", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("starts over without sending anything to the saved URLs", () =>
      Effect.gen(function*() {
        const file = dataFile("stale-state", twoPartSize)
        const oldUpload = yield* interruptedAfterPart1(world, file, "stale.bin")
        world.control.emulatorAheadMs = week + 60_000
        const before = world.observed.length
        const later = clockAhead(() => week + 60_000)
        const result = yield* upload(file, "stale.bin", { partConcurrency: 1 }).pipe(Effect.withClock(later))
        expect(yield* Effect.withClock(later)(Clock.currentTimeMillis)).toBeGreaterThan(Date.now() + week)
        const second = world.observed.slice(before)
        const puts = second.filter((o) => o.origin === "s3" && o.method === "PUT")
        expect(puts.map((p) => p.partNumber)).toEqual([1, 2])
        expect(puts.some((p) => p.uploadId === oldUpload)).toBe(false)
        expect(second.filter((o) => o.path.endsWith("/uploads/initialize/"))).toHaveLength(1)
        expect(result).toMatchObject({ resumed: false, partsSent: 2 })
        expect(yield* draftPaths).toEqual(["stale.bin"])
      }))
  })
})

describe("part MD5s from hashing (the digests option)", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("a file changed after it was hashed: the store's part ETag disagrees, DigestMismatch, no asset", () =>
      Effect.gen(function*() {
        const file = dataFile("changed-after-hashing", 2 * MiB)
        const digests = yield* ParallelEtag.digestsOfFileWith(yield* HashWorkerPool, file)
        // Same size, different bytes: only the part MD5 the store computes can tell.
        const fd = openSync(file, "r+")
        writeSync(fd, new TextEncoder().encode("changed after hashing"), 0, undefined, MiB)
        closeSync(fd)
        const error = yield* Effect.flip(upload(file, "changed.bin", { digests: Effect.succeed(digests) }))
        expect(error._tag).toBe("DigestMismatch")
        expect(error.message).toContain("changed since it was hashed")
        expect(storagePuts(world)).toHaveLength(1)
        expect(world.observed.some((o) => o.path.endsWith("/complete/"))).toBe(false)
        expect(yield* draftPaths).toEqual([])
      }))

    it.effect("an unchanged file goes up with the hashed part MD5s and the same etag", () =>
      Effect.gen(function*() {
        const file = dataFile("hashed-once", twoPartSize)
        const digests = yield* ParallelEtag.digestsOfFileWith(yield* HashWorkerPool, file)
        const result = yield* upload(file, "hashed-once.bin", { digests: Effect.succeed(digests) })
        expect(result.etag).toBe(digests.etag)
        expect(result.partsSent).toBe(2)
        expect(yield* result.asset.getRawDigest("dandi:dandi-etag")).toBe(digests.etag)
      }))
  })
})
