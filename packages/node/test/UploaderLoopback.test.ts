/**
 * Blob uploads over real sockets (undici) against the loopback emulator: multipart, storage
 * faults, and resuming an interrupted upload — asserting on the requests the emulator received.
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as Uploader from "@dandi-effect/core/Uploader"
import * as NodeByteSource from "@dandi-effect/node/NodeByteSource"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { dandisetId, dataFile, makeWorld, MiB, storagePuts, twoPartSize } from "./support/UploadWorld.js"

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
