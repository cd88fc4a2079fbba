/**
 * `Hasher` backed by `node:crypto` (OpenSSL): several times faster than the portable JS hashes.
 * The layer also hashes long streams (a download's digests) on worker threads.
 *
 * @since 0.1.0
 */
import { Hasher } from "@dandi-effect/core/Hasher"
import type { HasherShape } from "@dandi-effect/core/Hasher"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import * as StreamHashWorkers from "./StreamHashWorkers.js"

/**
 * The Hasher over `node:crypto`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: HasherShape = {
  create: (algorithm) => {
    const hash = createHash(algorithm)
    return {
      update: (chunk) => {
        hash.update(chunk)
      },
      digest: () => {
        const digest = hash.digest()
        return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
      }
    }
  }
}

/**
 * The `node:crypto` Hasher as a layer, hashing long streams (downloads) on worker threads
 * (StreamHashWorkers), started on first use and stopped with the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Hasher> = Layer.scoped(Hasher, StreamHashWorkers.make(make))
