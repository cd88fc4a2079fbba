/**
 * The record methods on a blob asset (download, downloadTo, asReadable) over the in-process
 * emulator: the Python-shaped entry points to the Downloader.
 */
import * as ByteSink from "@dandi-effect/core/ByteSink"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import { BaseRemoteBlobAsset } from "@dandi-effect/core/RemoteAsset"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { harness, seedBlob, storageRequests } from "./DownloadHarness.js"

const size = 70_000
const expected = deterministicBytes(9, 0, size)
const path = "sub-2/sub-2.nwb"

const blobAsset = Effect.gen(function*() {
  yield* seedBlob(path, { _tag: "Generated", size, seed: 9 })
  const api = yield* DandiApi.DandiApi
  const asset = yield* Effect.flatMap(api.getDandiset("000001", "draft"), (d) => d.getAssetByPath(path))
  if (!(asset instanceof BaseRemoteBlobAsset)) return yield* Effect.dieMessage("not a blob")
  return asset
})

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

describe("blob asset records", () => {
  it.live("download({ start, end }) streams that range", () =>
    Effect.gen(function*() {
      const asset = yield* blobAsset
      const chunks = yield* Stream.runCollect(asset.download({ start: 10, end: 60_000 }))
      const bytes = Uint8Array.from(Chunk.toReadonlyArray(chunks).flatMap((c) => Array.from(c)))
      expect(same(bytes, expected.subarray(10, 60_000))).toBe(true)
    }).pipe(Effect.provide(harness())))

  it.live("downloadTo(sink) verifies and commits", () =>
    Effect.gen(function*() {
      const asset = yield* blobAsset
      const memory = yield* ByteSink.memory(path)
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(asset.downloadTo(memory.sink)))
      expect(events.at(-1)).toMatchObject({ _tag: "Completed", verified: ["dandi-etag", "sha256"] })
      expect(same(Option.getOrThrow(yield* memory.committed), expected)).toBe(true)
    }).pipe(Effect.provide(harness())))

  it.scopedLive("asReadable() reads ranges through the block cache", () =>
    Effect.gen(function*() {
      const asset = yield* blobAsset
      const reader = yield* asset.asReadable({ blockSize: 16_384, maxReadAhead: 0 })
      expect(same(yield* reader.read(0, 4), expected.subarray(0, 4))).toBe(true)
      expect(same(yield* reader.read(100, 4), expected.subarray(100, 104))).toBe(true)
      expect((yield* storageRequests).map((r) => r.range)).toEqual(["bytes=0-16383"])
    }).pipe(Effect.provide(harness())))
})
