/**
 * Plain streaming digests (md5, sha1, sha256, sha512): a Stream of bytes in, lower-case hex out.
 * Hashing goes through the `Hasher` service so each platform plugs in its fastest implementation.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { HashAlgorithm } from "./Hasher.js"
import { Hasher, toHex } from "./Hasher.js"

/**
 * The plain algorithms, in the order the CLI lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const plainAlgorithms: ReadonlyArray<HashAlgorithm> = ["md5", "sha1", "sha256", "sha512"]

/**
 * Every digest the SDK can compute for local data.
 *
 * @since 0.1.0
 * @category models
 */
export type DigestAlgorithm = HashAlgorithm | "dandi-etag" | "zarr-checksum"

/**
 * @since 0.1.0
 * @category constants
 */
export const digestAlgorithms: ReadonlyArray<DigestAlgorithm> = [
  "dandi-etag",
  "md5",
  "sha1",
  "sha256",
  "sha512",
  "zarr-checksum"
]

/**
 * @since 0.1.0
 * @category guards
 */
export const isPlainAlgorithm = (algorithm: DigestAlgorithm): algorithm is HashAlgorithm =>
  algorithm !== "dandi-etag" && algorithm !== "zarr-checksum"

/**
 * Raw digest of a byte stream; chunk boundaries never matter.
 *
 * @since 0.1.0
 * @category utils
 */
export const streamRaw = (algorithm: HashAlgorithm) =>
<E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Effect.Effect<Uint8Array, E, R | Hasher> =>
  Effect.gen(function*() {
    const hasher = yield* Hasher
    const hash = hasher.create(algorithm)
    yield* Stream.runForEach(bytes, (chunk) => Effect.sync(() => hash.update(chunk)))
    return hash.digest()
  })

/**
 * Lower-case hex digest of a byte stream.
 *
 * @since 0.1.0
 * @category utils
 */
export const stream = (algorithm: HashAlgorithm) =>
<E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Effect.Effect<string, E, R | Hasher> =>
  Effect.map(streamRaw(algorithm)(bytes), toHex)

/**
 * Lower-case hex digest of bytes already in memory.
 *
 * @since 0.1.0
 * @category utils
 */
export const bytes = (algorithm: HashAlgorithm, data: Uint8Array): Effect.Effect<string, never, Hasher> =>
  Effect.map(Hasher, (hasher) => {
    const hash = hasher.create(algorithm)
    hash.update(data)
    return toHex(hash.digest())
  })
