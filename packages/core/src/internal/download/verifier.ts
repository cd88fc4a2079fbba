/**
 * Incremental verification of downloaded bytes: every byte, in order, goes through `feed`, and
 * `mismatches` compares what was computed with what the archive lists. The dandi-etag is the
 * md5 of each part's md5 under the archive's own part plan, so every part is one range hash and
 * nothing but running hashes is kept. The hashing itself is the Hasher's range hasher: on Node a
 * worker thread, so receiving and writing go on while earlier bytes are hashed.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type { ObjectTooLargeError } from "../../DandiError.js"
import * as DandiEtag from "../../DandiEtag.js"
import type { HasherShape, RangeHashSpec } from "../../Hasher.js"
import { rangeHasher, toHex } from "../../Hasher.js"

/** Digests verified while downloading, by dandi-cli's names. */
export const verifiedAlgorithms = ["dandi-etag", "sha256", "md5"] as const

export type VerifiedAlgorithm = typeof verifiedAlgorithms[number]

export interface Mismatch {
  readonly algorithm: string
  readonly expected: string
  readonly actual: string
}

export interface Verifier {
  /** The algorithms this verifier checks (those of `digests` it knows). */
  readonly algorithms: ReadonlyArray<VerifiedAlgorithm>
  /** The next bytes, in order (they may be hashed later, on another thread; the chunks may be reused). */
  readonly feed: (chunks: ReadonlyArray<Uint8Array>) => Effect.Effect<void>
  /** Bytes fed so far. */
  readonly seen: () => number
  /** Run once, after the last byte: waits for the hashes and compares them. */
  readonly mismatches: Effect.Effect<ReadonlyArray<Mismatch>>
}

interface Check {
  readonly algorithm: VerifiedAlgorithm
  /** Its specs: `[first, first + count)` of the range hasher's. */
  readonly first: number
  readonly count: number
  readonly digest: (raw: ReadonlyArray<Uint8Array>) => string
}

export const make = (
  hasher: HasherShape,
  size: number,
  digests: Readonly<Record<string, string>>
): Effect.Effect<Verifier, ObjectTooLargeError, Scope.Scope> =>
  Effect.gen(function*() {
    const plan = yield* Either.match(DandiEtag.plan(size), { onLeft: Effect.fail, onRight: Effect.succeed })
    const specs: Array<RangeHashSpec> = []
    const checks: Array<Check> = []
    for (const algorithm of verifiedAlgorithms) {
      if (digests[algorithm] === undefined) continue
      const first = specs.length
      if (algorithm === "dandi-etag") {
        for (const part of plan.parts()) specs.push({ algorithm: "md5", start: part.offset, end: part.offset + part.size })
        checks.push({
          algorithm,
          first,
          count: plan.partCount,
          digest: (parts) => {
            const whole = hasher.create("md5")
            for (const part of parts) whole.update(part)
            return `${toHex(whole.digest())}-${parts.length}`
          }
        })
      } else {
        specs.push({ algorithm, start: 0, end: size })
        checks.push({ algorithm, first, count: 1, digest: (raw) => toHex(raw[0]!) })
      }
    }
    const hashing = yield* rangeHasher(hasher, specs)
    let seen = 0
    return {
      algorithms: checks.map((check) => check.algorithm),
      feed: (chunks) => {
        for (const chunk of chunks) seen += chunk.length
        return hashing.feed(chunks)
      },
      seen: () => seen,
      mismatches: Effect.map(hashing.digests, (raw) =>
        checks.flatMap((check) => {
          const actual = check.digest(raw.slice(check.first, check.first + check.count))
          const expected = digests[check.algorithm]!
          return actual === expected.toLowerCase() ? [] : [{ algorithm: check.algorithm, expected, actual }]
        }))
    }
  })
