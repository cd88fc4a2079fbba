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
import * as Layer from "effect/Layer"

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
 * @since 0.1.0
 * @category models
 */
export interface HasherShape {
  readonly create: (algorithm: HashAlgorithm) => IncrementalHash
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Hasher extends Context.Tag("@dandi-effect/core/Hasher")<Hasher, HasherShape>() {}

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
