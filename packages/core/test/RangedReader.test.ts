/**
 * The block cache and read-ahead of RangedReader, over an in-memory source that counts the
 * ranges it is asked for.
 */
import * as RangedReader from "@dandi-effect/core/RangedReader"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Ref, Schedule, Stream } from "effect"

const size = 10_000
const data = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff)

const source = (failFirst = 0) =>
  Effect.gen(function*() {
    const asked = yield* Ref.make<ReadonlyArray<readonly [number, number]>>([])
    let failures = failFirst
    const fetch = (start: number, end: number) =>
      Stream.unwrap(Effect.gen(function*() {
        yield* Ref.update(asked, (all) => [...all, [start, end] as const])
        if (failures > 0) {
          failures -= 1
          return Stream.fail("broken" as const)
        }
        // Several chunks per range, as a socket delivers them.
        return Stream.fromIterable([data.subarray(start, Math.min(end, start + 100)), data.subarray(Math.min(end, start + 100), end)])
      }))
    return { asked, source: { size, fetch } satisfies RangedReader.RangeSource<"broken"> }
  })

describe("RangedReader", () => {
  it.scoped("small reads inside one block cost one request; reads past the end are short or empty", () =>
    Effect.gen(function*() {
      const { asked, source: s } = yield* source()
      const reader = yield* RangedReader.make(s, { blockSize: 1024, maxReadAhead: 0 })
      expect(yield* reader.read(0, 4)).toEqual(data.subarray(0, 4))
      expect(yield* reader.read(100, 4)).toEqual(data.subarray(100, 104))
      expect(yield* Ref.get(asked)).toEqual([[0, 1024]])
      expect(yield* reader.read(1020, 10)).toEqual(data.subarray(1020, 1030))
      expect(yield* reader.read(size - 3, 10)).toEqual(data.subarray(size - 3))
      expect((yield* reader.read(size + 5, 10)).length).toBe(0)
    }))

  it.scoped("concurrent readers of one block share its request", () =>
    Effect.gen(function*() {
      const { asked, source: s } = yield* source()
      const reader = yield* RangedReader.make(s, { blockSize: 4096, maxReadAhead: 0 })
      const reads = yield* Effect.all([reader.read(0, 10), reader.read(50, 10), reader.read(4000, 10)], { concurrency: "unbounded" })
      expect(reads[2]).toEqual(data.subarray(4000, 4010))
      expect(yield* Ref.get(asked)).toEqual([[0, 4096]])
    }))

  it.scoped("a sequential stream from any offset delivers every byte once, each block requested once", () =>
    Effect.gen(function*() {
      const { asked, source: s } = yield* source()
      const reader = yield* RangedReader.make(s, { blockSize: 512, maxReadAhead: 4, cacheBlocks: 4 })
      const chunks = yield* Stream.runCollect(reader.stream(700))
      const joined = Uint8Array.from(Chunk.toReadonlyArray(chunks).flatMap((c) => Array.from(c)))
      expect(joined).toEqual(data.subarray(700))
      const starts = (yield* Ref.get(asked)).map(([start]) => start)
      expect(new Set(starts).size).toBe(starts.length)
      expect(starts.length).toBe(Math.ceil(size / 512) - 1)
    }))

  it.scoped("sequential reads fetch ahead in the background", () =>
    Effect.gen(function*() {
      const { asked, source: s } = yield* source()
      const reader = yield* RangedReader.make(s, { blockSize: 100, maxReadAhead: 4 })
      yield* reader.read(0, 100)
      yield* reader.read(100, 100) // sequential: one block ahead
      yield* reader.read(200, 100) // two ahead: blocks 3 and 4 are asked without anyone reading them
      const prefetched = Ref.get(asked).pipe(
        Effect.flatMap((all) => all.some(([start]) => start === 400) ? Effect.void : Effect.fail("not yet")),
        Effect.retry({ times: 1000, schedule: Schedule.forever }),
        Effect.zipRight(Effect.yieldNow())
      )
      yield* prefetched
      const starts = (yield* Ref.get(asked)).map(([start]) => start)
      expect(starts.slice(0, 5)).toEqual([0, 100, 200, 300, 400])
      // Reading them costs nothing more.
      yield* reader.read(300, 200)
      expect((yield* Ref.get(asked)).filter(([start]) => start === 300 || start === 400)).toHaveLength(2)
    }))

  it.scoped("a failed block is forgotten and asked again by the next read", () =>
    Effect.gen(function*() {
      const { asked, source: s } = yield* source(1)
      const reader = yield* RangedReader.make(s, { blockSize: 1024, maxReadAhead: 0 })
      expect(yield* Effect.flip(reader.read(0, 4))).toBe("broken")
      expect(yield* reader.read(0, 4)).toEqual(data.subarray(0, 4))
      expect((yield* Ref.get(asked)).length).toBe(2)
    }))
})
