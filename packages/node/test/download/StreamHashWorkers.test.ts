/**
 * Range hashes computed on worker threads must equal the same hashes computed directly, however
 * the stream is cut into chunks, and a stream abandoned half way must not hold anything up.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import * as NodeHasher from "@dandi-effect/node/NodeHasher"
import * as StreamHashWorkers from "@dandi-effect/node/StreamHashWorkers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"

const MiB = 2 ** 20
const size = 5 * MiB + 12_345
const bytes = deterministicBytes(3, 0, size)

const specs: ReadonlyArray<Hasher.RangeHashSpec> = [
  { algorithm: "sha256", start: 0, end: size },
  { algorithm: "md5", start: 0, end: 2 * MiB },
  { algorithm: "md5", start: 2 * MiB, end: 4 * MiB },
  { algorithm: "md5", start: 4 * MiB, end: size },
  { algorithm: "sha1", start: 1_000, end: 1_001 },
  { algorithm: "md5", start: 7, end: 7 }
]

const direct = specs.map((spec) => createHash(spec.algorithm).update(bytes.subarray(spec.start, spec.end)).digest("hex"))

const hex = (digests: ReadonlyArray<Uint8Array>) => digests.map((digest) => Buffer.from(digest).toString("hex"))

/** `bytes` cut at the given chunk sizes (cycled), fed in batches of `perBatch` chunks. */
const feedAll = (hashing: Hasher.RangeHasher, cuts: ReadonlyArray<number>, perBatch: number) =>
  Effect.gen(function*() {
    let batch: Array<Uint8Array> = []
    for (let at = 0, i = 0; at < size; i++) {
      const length = Math.min(cuts[i % cuts.length]!, size - at)
      // A buffer the caller reuses would be overwritten right after feed: the hasher must copy.
      batch.push(Uint8Array.from(bytes.subarray(at, at + length)))
      at += length
      if (batch.length === perBatch) {
        const fed = batch
        yield* hashing.feed(fed)
        for (const chunk of fed) chunk.fill(0)
        batch = []
      }
    }
    if (batch.length > 0) yield* hashing.feed(batch)
    return hex(yield* hashing.digests)
  })

describe("StreamHashWorkers", () => {
  it.scoped.each<{ readonly name: string; readonly cuts: ReadonlyArray<number>; readonly perBatch: number }>([
    { name: "network-sized chunks in ~1 MiB batches", cuts: [65_536, 1_000, 65_535], perBatch: 16 },
    { name: "batches larger than a transfer piece", cuts: [3 * MiB + 1], perBatch: 1 },
    { name: "one byte at a time around odd cuts", cuts: [1, 2, 700_001], perBatch: 3 }
  ])("digests on a worker equal direct hashes: $name", ({ cuts, perBatch }) =>
    Effect.gen(function*() {
      const hasher = yield* StreamHashWorkers.make(NodeHasher.make, { workers: 2 })
      const onWorker = yield* Effect.scoped(Effect.flatMap(Hasher.rangeHasher(hasher, specs), (h) => feedAll(h, cuts, perBatch)))
      expect(onWorker).toEqual(direct)
      const inline = yield* feedAll(Hasher.inlineRangeHasher(Hasher.portable, specs), cuts, perBatch)
      expect(inline).toEqual(direct)
    }))

  it.scoped("streams abandoned half way, and several at once, leave the workers usable", () =>
    Effect.gen(function*() {
      const hasher = yield* StreamHashWorkers.make(NodeHasher.make, { workers: 1 })
      yield* Effect.scoped(Effect.flatMap(Hasher.rangeHasher(hasher, specs), (h) => h.feed([bytes.subarray(0, 3 * MiB)])))
      const both = yield* Effect.all(
        [0, 1].map(() => Effect.scoped(Effect.flatMap(Hasher.rangeHasher(hasher, specs), (h) => feedAll(h, [65_536], 16)))),
        { concurrency: 2 }
      )
      expect(both).toEqual([direct, direct])
    }))
})
