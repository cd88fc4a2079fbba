/**
 * Incremental verification of downloaded bytes: every byte, in order, goes through `update`, and
 * `mismatches` compares what was computed with what the archive lists. The dandi-etag is
 * computed part by part with the archive's own part plan (md5 of each part's md5), so nothing
 * but the running hashes is kept in memory.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { ObjectTooLargeError } from "../../DandiError.js"
import * as DandiEtag from "../../DandiEtag.js"
import type { HasherShape, IncrementalHash } from "../../Hasher.js"
import { toHex } from "../../Hasher.js"

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
  readonly update: (chunk: Uint8Array) => void
  /** Bytes seen so far. */
  readonly seen: () => number
  /** Call once, after the last byte. */
  readonly mismatches: () => ReadonlyArray<Mismatch>
}

const etagHasher = (hasher: HasherShape, plan: DandiEtag.PartPlan) => {
  const partHashes: Array<Uint8Array> = []
  let part = 1
  let filled = 0
  let current: IncrementalHash = hasher.create("md5")
  return {
    update: (chunk: Uint8Array) => {
      let at = 0
      while (at < chunk.length && part <= plan.partCount) {
        const take = Math.min(plan.partSize(part) - filled, chunk.length - at)
        current.update(take === chunk.length ? chunk : chunk.subarray(at, at + take))
        at += take
        filled += take
        if (filled === plan.partSize(part)) {
          partHashes.push(current.digest())
          part += 1
          filled = 0
          current = hasher.create("md5")
        }
      }
    },
    digest: (): string => {
      const whole = hasher.create("md5")
      for (const hash of partHashes) whole.update(hash)
      return `${toHex(whole.digest())}-${partHashes.length}`
    }
  }
}

export const make = (
  hasher: HasherShape,
  size: number,
  digests: Readonly<Record<string, string>>
): Either.Either<Verifier, ObjectTooLargeError> =>
  Either.map(DandiEtag.plan(size), (plan) => {
    const checks: Array<{ readonly algorithm: VerifiedAlgorithm; readonly update: (c: Uint8Array) => void; readonly digest: () => string }> = []
    for (const algorithm of verifiedAlgorithms) {
      if (digests[algorithm] === undefined) continue
      if (algorithm === "dandi-etag") {
        checks.push({ algorithm, ...etagHasher(hasher, plan) })
      } else {
        const hash = hasher.create(algorithm)
        checks.push({ algorithm, update: (c) => hash.update(c), digest: () => toHex(hash.digest()) })
      }
    }
    let seen = 0
    return {
      algorithms: checks.map((check) => check.algorithm),
      update: (chunk) => {
        seen += chunk.length
        for (const check of checks) check.update(chunk)
      },
      seen: () => seen,
      mismatches: () =>
        checks.flatMap((check) => {
          const actual = check.digest()
          const expected = digests[check.algorithm]!
          return actual === expected.toLowerCase() ? [] : [{ algorithm: check.algorithm, expected, actual }]
        })
    }
  })
