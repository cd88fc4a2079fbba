/**
 * The Downloader against the in-process emulator with injected storage faults: what arrives in
 * the sink, what is committed, and which ranges were asked for.
 */
import * as ByteSink from "@dandi-effect/core/ByteSink"
import * as Downloader from "@dandi-effect/core/Downloader"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Option, Stream, TestClock } from "effect"
import { harness, seedBlob, storageRequests } from "./DownloadHarness.js"

const size = 300_000
const content = { _tag: "Generated", size, seed: 7 } as const
const expected = deterministicBytes(7, 0, size)
const blobPath = "sub-1/sub-1_ecephys.nwb"

/** Byte-for-byte equality without vitest's element-wise diff (slow on large arrays). */
const same = (actual: Uint8Array, wanted: Uint8Array): boolean =>
  actual.length === wanted.length && actual.every((byte, i) => byte === wanted[i])

const s3Get = (rule: Omit<Faults.FaultRule, "target" | "method" | "pathPrefix">): Faults.FaultRule =>
  ({ target: "s3", method: "GET", pathPrefix: "/dandiarchive/blobs/", ...rule }) as Faults.FaultRule

const download = Effect.gen(function*() {
  const blob = yield* seedBlob(blobPath, content)
  const downloader = yield* Downloader.Downloader
  const memory = yield* ByteSink.memory(blobPath)
  const events = yield* Stream.runCollect(downloader.toSink(blob, memory.sink)).pipe(Effect.map(Chunk.toReadonlyArray))
  return { blob, memory, events, committed: yield* memory.committed }
})

describe("Downloader.toSink", () => {
  it.live("delivers identical bytes and verifies dandi-etag and sha256", () =>
    Effect.gen(function*() {
      const { committed, events } = yield* download
      expect(same(Option.getOrThrow(committed), expected)).toBe(true)
      const done = events.at(-1)
      expect(done).toMatchObject({ _tag: "Completed", size, resumedFrom: 0, verified: ["dandi-etag", "sha256"] })
      const sent = yield* storageRequests
      expect(sent).toHaveLength(1)
      expect(sent[0]!.authorization).toBeUndefined()
      expect(sent[0]!.range).toBeUndefined()
    }).pipe(Effect.provide(harness())))

  it.live("resumes after a connection reset mid-body, asking only for what it lacks", () =>
    Effect.gen(function*() {
      const { committed, events } = yield* download
      expect(same(Option.getOrThrow(committed), expected)).toBe(true)
      // In process, bytes queued before the reset may be lost with it; the resume starts after
      // whatever did arrive (the loopback tests pin the exact offset on a real socket).
      const retries = events.flatMap((e) => e._tag === "Retrying" ? [e.offset] : [])
      expect(retries).toHaveLength(1)
      const sent = yield* storageRequests
      expect(sent.map((r) => r.range)).toEqual([undefined, retries[0] === 0 ? undefined : `bytes=${retries[0]}-${size - 1}`])
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "reset", afterBytes: 100_000, times: 1 })] }))))

  it.live("resumes after a truncated body (Content-Length promised more)", () =>
    Effect.gen(function*() {
      const { committed } = yield* download
      expect(same(Option.getOrThrow(committed), expected)).toBe(true)
      const sent = yield* storageRequests
      expect(sent.map((r) => r.range)).toEqual([undefined, `bytes=50000-${size - 1}`])
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "truncate", afterBytes: 50_000, times: 1 })] }))))

  it.live("detects a corrupted body, discards it and downloads again", () =>
    Effect.gen(function*() {
      const { committed, events } = yield* download
      expect(same(Option.getOrThrow(committed), expected)).toBe(true)
      expect(events.filter((e) => e._tag === "Restarted")).toHaveLength(1)
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined, undefined])
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "corrupt", bytes: 3, times: 1 })] }))))

  it.live("fails with DigestMismatch when every copy is corrupt, and keeps no bad bytes", () =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory(blobPath)
      const error = yield* Effect.flip(Downloader.completion(downloader.toSink(blob, memory.sink)))
      expect(error).toMatchObject({ _tag: "DigestMismatch", algorithm: "dandi-etag", expected: blob.digests["dandi-etag"] })
      expect(Option.isNone(yield* memory.committed)).toBe(true)
      expect((yield* memory.partial).length).toBe(0)
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "corrupt" })] }))))

  it.live("an already complete partial is verified and committed without a request", () =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory(blobPath)
      // A first run that got every byte but died before committing: a sink holding all of them.
      yield* Effect.scoped(Effect.flatMap(memory.sink.open({ size, digests: blob.digests }), (s) => s.write(expected)))
      const before = (yield* storageRequests).length
      const done = yield* Downloader.completion(downloader.toSink(blob, memory.sink))
      expect(done.resumedFrom).toBe(size)
      expect(same(Option.getOrThrow(yield* memory.committed), expected)).toBe(true)
      expect((yield* storageRequests).length).toBe(before)
    }).pipe(Effect.provide(harness())))

  it.live("a partial for other digests is not resumed", () =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory(blobPath)
      yield* Effect.scoped(Effect.flatMap(
        memory.sink.open({ size, digests: { "dandi-etag": "0".repeat(32) + "-1" } }),
        (s) => s.write(new Uint8Array(1000))
      ))
      const done = yield* Downloader.completion(downloader.toSink(blob, memory.sink))
      expect(done.resumedFrom).toBe(0)
      expect(same(Option.getOrThrow(yield* memory.committed), expected)).toBe(true)
    }).pipe(Effect.provide(harness())))

  it.live("renews an expired presigned URL and continues", () =>
    Effect.gen(function*() {
      const { committed, events } = yield* download
      expect(same(Option.getOrThrow(committed), expected)).toBe(true)
      expect(events.some((e) => e._tag === "Retrying" && e.reason.includes("expired"))).toBe(true)
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "expire", times: 1 })] }))))

  it.effect.each([503, 429])("honours Retry-After on %i before asking again", (status) =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory(blobPath)
      const fiber = yield* Effect.fork(Downloader.completion(downloader.toSink(blob, memory.sink)))
      yield* TestClock.adjust("2999 millis")
      expect((yield* storageRequests).length).toBe(1)
      yield* TestClock.adjust("1 millis")
      const done = yield* Fiber.join(fiber)
      expect(done.size).toBe(size)
      expect((yield* storageRequests).length).toBe(2)
      expect(same(Option.getOrThrow(yield* memory.committed), expected)).toBe(true)
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "status", status, retryAfter: 3, times: 1 })] }))))

  it.live("a 404 from storage fails at once with StorageError, and nothing is committed", () =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory(blobPath)
      const error = yield* Effect.flip(Downloader.completion(downloader.toSink(blob, memory.sink)))
      expect(error).toMatchObject({ _tag: "StorageError", status: 404 })
      expect((yield* storageRequests).length).toBe(1)
      expect(Option.isNone(yield* memory.committed)).toBe(true)
    }).pipe(Effect.provide(harness({ rules: [s3Get({ action: "status", status: 404 })] }))))
})

describe("Downloader.bytes", () => {
  it.live("streams any range", () =>
    Effect.gen(function*() {
      const blob = yield* seedBlob(blobPath, content)
      const downloader = yield* Downloader.Downloader
      const bytes = yield* Stream.runCollect(downloader.bytes(blob, { start: 1000, end: 5000 }))
      const joined = Uint8Array.from(Chunk.toReadonlyArray(bytes).flatMap((c) => Array.from(c)))
      expect(same(joined, expected.subarray(1000, 5000))).toBe(true)
      expect((yield* storageRequests).map((r) => r.range)).toEqual(["bytes=1000-4999"])
    }).pipe(Effect.provide(harness())))
})
