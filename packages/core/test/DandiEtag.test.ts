import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck, Stream } from "effect"
import { fromBytes } from "@dandi-effect/core/ByteSource"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import * as Digest from "@dandi-effect/core/Digest"
import * as Hasher from "@dandi-effect/core/Hasher"
import { ascii, chunked } from "./DigestVectors.js"

const MiB = 2 ** 20
const TiB = 2 ** 40

describe("DandiEtag.plan (spec §8.1 part-plan vectors)", () => {
  const vectors: Array<[string, number, number, number, number]> = [
    ["0", 0, 0, 0, 0],
    ["1", 1, 1, 1, 1],
    ["64 MiB", 64 * MiB, 1, 64 * MiB, 64 * MiB],
    ["50 MiB", 50 * MiB, 1, 50 * MiB, 50 * MiB],
    ["70 MiB", 70 * MiB, 2, 64 * MiB, 6 * MiB],
    ["140 MiB", 140 * MiB, 3, 64 * MiB, 12 * MiB],
    ["640 MiB", 640 * MiB, 10, 64 * MiB, 64 * MiB],
    ["5 TiB", 5 * TiB, 10000, 549755814, 549754694]
  ]
  for (const [label, size, qty, initial, final] of vectors) {
    it(`${label} -> ${qty} parts`, () => {
      const plan = Either.getOrThrow(DandiEtag.plan(size))
      expect([plan.partCount, plan.initialPartSize, plan.finalPartSize]).toEqual([qty, initial, final])
      const parts = [...plan.parts()]
      expect(parts.reduce((sum, p) => sum + p.size, 0)).toBe(size)
      parts.forEach((p, i) => expect(p.offset).toBe(i * initial))
    })
  }

  it("5 TiB + 1 is too large for S3, with a message saying so", () => {
    const result = DandiEtag.plan(5 * TiB + 1)
    expect(Either.isLeft(result)).toBe(true)
    const error = Either.getLeft(result).pipe((o) => o._tag === "Some" ? o.value : undefined)!
    expect(error._tag).toBe("ObjectTooLargeError")
    expect(error.message).toContain("larger than the S3 maximum object size")
    expect(error.limit).toBe(5 * TiB)
  })

  it("a negative or fractional size is refused", () => {
    expect(Either.isLeft(DandiEtag.plan(-1))).toBe(true)
    expect(Either.isLeft(DandiEtag.plan(1.5))).toBe(true)
  })

  it("the 10,000-part edge: parts never exceed 10,000 and stay within S3 part limits", () => {
    // 64 MiB x 10,000 is where the default part size stops fitting.
    for (const size of [64 * MiB * 9999, 64 * MiB * 9999 + 1, 64 * MiB * 10000 - 1, 64 * MiB * 10000, 64 * MiB * 10000 + 1]) {
      const plan = Either.getOrThrow(DandiEtag.plan(size))
      expect(plan.partCount).toBeLessThanOrEqual(10000)
      expect(plan.initialPartSize).toBeGreaterThanOrEqual(DandiEtag.MIN_PART_SIZE)
      expect(plan.initialPartSize).toBeLessThanOrEqual(DandiEtag.MAX_PART_SIZE)
      expect((plan.partCount - 1) * plan.initialPartSize + plan.finalPartSize).toBe(size)
    }
    expect(Either.getOrThrow(DandiEtag.plan(64 * MiB * 9999)).partCount).toBe(9999)
    expect(Either.getOrThrow(DandiEtag.plan(64 * MiB * 9999)).initialPartSize).toBe(64 * MiB)
    // ceil(size / 64 MiB) reaching 10,000 switches to ceil(size / 10,000)-byte parts.
    expect(Either.getOrThrow(DandiEtag.plan(64 * MiB * 9999 + 1)).initialPartSize).toBe(Math.ceil((64 * MiB * 9999 + 1) / 10000))
  })
})

// A small hand-made plan exercises part boundaries without megabytes of data.
const smallPlan = (size: number, partSize: number) => {
  const partCount = Math.ceil(size / partSize)
  return new DandiEtag.PartPlan({
    size,
    partCount,
    initialPartSize: partCount === 1 ? size : partSize,
    finalPartSize: size - (partCount - 1) * partSize
  })
}

describe("DandiEtag streaming", () => {
  it.effect.prop(
    "chunk boundaries never change the part digests",
    {
      bytes: FastCheck.uint8Array({ minLength: 1, maxLength: 2000 }),
      partSize: FastCheck.integer({ min: 1, max: 700 }),
      cuts: FastCheck.array(FastCheck.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 })
    },
    ({ bytes, cuts, partSize }) =>
      Effect.gen(function*() {
        const plan = smallPlan(bytes.length, partSize)
        const pieces: Array<Uint8Array> = []
        let at = 0
        for (let i = 0; at < bytes.length; i++) {
          const step = cuts[i % cuts.length]!
          pieces.push(bytes.subarray(at, at + step))
          at += step
        }
        const digests = yield* Stream.runCollect(DandiEtag.partDigests(plan)(Stream.fromIterable(pieces)))
        const expected = yield* Effect.forEach(plan.parts(), (p) => Digest.bytes("md5", bytes.subarray(p.offset, p.offset + p.size)))
        expect(Chunk.toArray(digests).map((d) => d.md5Hex)).toEqual(expected)
        expect(Chunk.toArray(digests).map((d) => d.partNumber)).toEqual(expected.map((_, i) => i + 1))
      }).pipe(Effect.provide(Hasher.layerPortable))
  )

  it.effect("emits a part's digest before the rest of the stream is read", () =>
    Effect.gen(function*() {
      const plan = smallPlan(10, 4)
      let pulled = 0
      const source = Stream.fromIterable(chunked(ascii("0123456789"), 1)).pipe(
        Stream.tap(() => Effect.sync(() => pulled++))
      )
      const first = yield* Stream.runHead(DandiEtag.partDigests(plan)(source))
      expect(first._tag).toBe("Some")
      expect(pulled).toBeLessThan(10)
    }).pipe(Effect.provide(Hasher.layerPortable)))

  it.effect("data beyond the planned size fails with a typed error", () =>
    Effect.gen(function*() {
      const error = yield* DandiEtag.stream(3, "data.bin")(Stream.make(ascii("12"), ascii("34"))).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toContain("data.bin")
      expect(error.message).toContain("past end of file")
    }).pipe(Effect.provide(Hasher.layerPortable)))

  it.effect("data shorter than the planned size fails with a typed error", () =>
    Effect.gen(function*() {
      const error = yield* DandiEtag.stream(5, "data.bin")(Stream.make(ascii("12"))).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toContain("ended after 2 of the 5 bytes")
    }).pipe(Effect.provide(Hasher.layerPortable)))

  it.effect("a stream declared larger than 5 TiB fails before reading", () =>
    Effect.gen(function*() {
      const error = yield* DandiEtag.stream(5 * TiB + 1)(Stream.die("must not be read")).pipe(Effect.flip)
      expect(error._tag).toBe("ObjectTooLargeError")
    }).pipe(Effect.provide(Hasher.layerPortable)))
})

describe("DandiEtag.fromSource", () => {
  it.effect("parallel part hashing equals the sequential stream (70 MiB: 2 parts)", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array(70 * MiB)
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) & 0xff
      const source = fromBytes("seventy.bin", bytes, 3 * MiB + 17)
      const parallel = yield* DandiEtag.fromSource(source, { concurrency: 2 })
      const sequential = yield* DandiEtag.stream(bytes.length)(Stream.fromIterable(chunked(bytes, 5 * MiB + 3)))
      expect(parallel).toBe(sequential)
      expect(parallel).toMatch(/-2$/)
    }).pipe(Effect.provide(Hasher.layerPortable)))

  it.effect("a source whose slice comes back short fails with its name", () =>
    Effect.gen(function*() {
      const real = fromBytes("shrunk.bin", ascii("12345"))
      const lying = { ...real, size: 9 }
      const error = yield* DandiEtag.fromSource(lying).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toContain("shrunk.bin ended after 5 of the 9 bytes")
    }).pipe(Effect.provide(Hasher.layerPortable)))
})
