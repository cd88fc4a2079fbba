/**
 * ZarrTransfers against the in-process emulator on the Effect clock: an upload from memory whose
 * checksum the archive confirms, and a checksum that does not come in time.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import * as ZarrTransfers from "@dandi-effect/core/ZarrTransfers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { harness, seedDandiset } from "./support/ApiHarness.js"

const world = () =>
  ZarrTransfers.layer.pipe(
    Layer.provideMerge(Layer.merge(harness({ token: "owner-token" }), Hasher.layerPortable))
  )

const text = (value: string) => new TextEncoder().encode(value)
const entries = {
  ".zgroup": text("{\"zarr_format\":2}"),
  "0/.zarray": text("{\"chunks\":[1]}"),
  "0/0": text("chunk zero"),
  "0/1": text("chunk one"),
  "labels/.zattrs": text("{}")
}

/** Steps the clock 10 ms at a time until the fiber is done (the emulator's ingestion runs on it). */
const stepUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return done.value
      yield* TestClock.adjust("10 millis")
    }
    return yield* Fiber.await(fiber)
  })

describe("ZarrTransfers on the in-process emulator", () => {
  it.effect("uploads from memory; the archive's checksum equals the local one", () =>
    Effect.gen(function*() {
      const dandisetId = yield* seedDandiset("Zarr in memory")
      const zarrs = yield* ZarrTransfers.ZarrTransfers
      const source = ZarrTransfers.memorySource("memory", entries, Hasher.portable)
      const fiber = yield* Effect.fork(zarrs.uploadZarr({ dandisetId, path: "memory.zarr", source, pollInterval: "10 millis" }))
      const exit = yield* stepUntilDone(fiber)
      const result = yield* exit
      const expected = yield* ZarrChecksum.ofLeaves(Object.entries(entries).map(([path, bytes]) => {
        const hash = Hasher.portable.create("md5")
        hash.update(bytes)
        return { path, size: bytes.length, digest: Array.from(hash.digest(), (b) => b.toString(16).padStart(2, "0")).join("") }
      }))
      expect(result.checksum).toBe(expected.toString())
      expect(result.uploaded).toBe(5)
      expect(yield* result.asset.getRawDigest("dandi:dandi-zarr-checksum")).toBe(expected.toString())
    }).pipe(Effect.provide(world())))

  it.effect("a checksum that does not come within the timeout is a ValidationTimeout naming the status", () =>
    Effect.gen(function*() {
      const dandisetId = yield* seedDandiset("Zarr slow")
      const zarrs = yield* ZarrTransfers.ZarrTransfers
      const source = ZarrTransfers.memorySource("memory", entries, Hasher.portable)
      // The emulator holds each background state 250 ms: Complete comes 500 ms after finalize.
      const fiber = yield* Effect.fork(
        zarrs.uploadZarr({ dandisetId, path: "slow.zarr", source, pollInterval: "10 millis", checksumTimeout: "100 millis" })
      )
      const exit = yield* stepUntilDone(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error._tag).toBe("ValidationTimeout")
      expect(error.message).toMatch(/still (Uploaded|Ingesting)/)
    }).pipe(Effect.provide(world())))
})
