/**
 * The platform seam for hashing. Core never hashes through `node:crypto` or WebCrypto directly:
 * it asks the `Hasher` service for an incremental hash. Node provides `node:crypto`, browsers a
 * WASM MD5 (WebCrypto has no MD5 and cannot hash incrementally), and `Hasher.layerPortable` is a
 * pure-JS fallback (@noble/hashes, audited and dependency-free) that runs anywhere.
 *
 * @since 0.1.0
 */
import { md5, sha1 } from "@noble/hashes/legacy.js"
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as RangeHashes from "./internal/rangeHashes.js"

/**
 * Plain digest algorithms every platform provides.
 *
 * @since 0.1.0
 * @category models
 */
export type HashAlgorithm = "md5" | "sha1" | "sha256" | "sha512"

/**
 * An incremental hash: feed chunks, then take the raw digest once.
 *
 * @since 0.1.0
 * @category models
 */
export interface IncrementalHash {
  readonly update: (chunk: Uint8Array) => void
  readonly digest: () => Uint8Array
}

/**
 * One hash over the bytes `[start, end)` of a long stream (a whole file, or one dandi-etag part).
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeHashSpec {
  readonly algorithm: HashAlgorithm
  readonly start: number
  readonly end: number
}

/**
 * Hashes of ranges of one byte stream, fed in order. `feed` may hand the bytes to another
 * thread and return before they are hashed (it waits only while too many bytes are in flight),
 * and it copies what it keeps: the caller may reuse its chunks. `digests` waits for everything
 * fed and answers one raw digest per spec, in the order the specs were given; a range the
 * stream never reached has the digest of the bytes that did arrive (none: the empty digest).
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeHasher {
  readonly feed: (chunks: ReadonlyArray<Uint8Array>) => Effect.Effect<void>
  readonly digests: Effect.Effect<ReadonlyArray<Uint8Array>>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface HasherShape {
  readonly create: (algorithm: HashAlgorithm) => IncrementalHash
  /**
   * Optional: hashes of a long stream computed away from the calling thread (Node: a worker
   * thread), so that receiving and writing go on while earlier bytes are hashed. Without it,
   * `rangeHasher` hashes on the calling thread with `create`.
   */
  readonly rangeHasher?: ((specs: ReadonlyArray<RangeHashSpec>) => Effect.Effect<RangeHasher, never, Scope.Scope>) | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Hasher extends Context.Tag("@dandi-effect/core/Hasher")<Hasher, HasherShape>() {}

/**
 * What to do with the next piece of a stream hashed by ranges: `updates` as flat triples
 * `[spec, from, to, …]` (update spec's hash with `piece.subarray(from, to)`, in this order), and
 * the specs whose range ended within the piece (their digests can be taken now).
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeStep {
  readonly updates: ReadonlyArray<number>
  readonly complete: ReadonlyArray<number>
}

/**
 * Which hashes each piece of a stream goes to, for a RangeHasher implementation that hashes
 * elsewhere (a worker only has to follow the steps).
 *
 * @since 0.1.0
 * @category models
 */
export interface RangePlanner {
  /** The step for the next `length` bytes of the stream. */
  readonly advance: (length: number) => RangeStep
}

/**
 * A planner for `specs`, starting at byte 0 of the stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rangePlanner = (specs: ReadonlyArray<RangeHashSpec>): RangePlanner => RangeHashes.planner(specs)

/**
 * Hashes of `specs` over a stream fed on the calling thread, with `hasher.create`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inlineRangeHasher = (hasher: HasherShape, specs: ReadonlyArray<RangeHashSpec>): RangeHasher => {
  const hashing = RangeHashes.inline(hasher.create, specs)
  return {
    feed: (chunks) =>
      Effect.sync(() => {
        for (const chunk of chunks) hashing.feed(chunk)
      }),
    digests: Effect.sync(hashing.digests)
  }
}

/**
 * Hashes of `specs` over one stream: the hasher's own `rangeHasher` when it has one (off the
 * calling thread), otherwise inline.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rangeHasher = (
  hasher: HasherShape,
  specs: ReadonlyArray<RangeHashSpec>
): Effect.Effect<RangeHasher, never, Scope.Scope> =>
  hasher.rangeHasher !== undefined ? hasher.rangeHasher(specs) : Effect.succeed(inlineRangeHasher(hasher, specs))

/**
 * Pure-JS implementation, usable on every platform (slower than native hashing).
 *
 * @since 0.1.0
 * @category constructors
 */
export const portable: HasherShape = {
  create: (algorithm) => {
    const h = { md5, sha1, sha256, sha512 }[algorithm].create()
    return {
      update: (chunk) => {
        h.update(chunk)
      },
      digest: () => h.digest()
    }
  }
}

/**
 * The pure-JS Hasher as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPortable: Layer.Layer<Hasher> = Layer.succeed(Hasher, portable)

/**
 * Lower-case hex of raw digest bytes.
 *
 * @since 0.1.0
 * @category utils
 */
export const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (const b of bytes) out += b.toString(16).padStart(2, "0")
  return out
}
