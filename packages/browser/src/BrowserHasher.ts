/**
 * `Hasher` for browsers: hash-wasm's WebAssembly MD5/SHA (WebCrypto has no MD5 and cannot hash
 * incrementally; the WASM build is several times faster than pure JS).
 *
 * hash-wasm creates hashers asynchronously, but `Hasher.create` is synchronous so that core stays
 * simple. The layer therefore instantiates one WASM hasher per algorithm up front, and every
 * incremental hash shares it: the instance holds the state of whichever hash used it last, and a
 * different hash swaps states with hash-wasm's `save()`/`load()` (a few hundred bytes). Sequential
 * hashing, the common case, never swaps.
 *
 * @since 0.1.0
 */
import { Hasher } from "@dandi-effect/core/Hasher"
import type { HashAlgorithm, HasherShape, IncrementalHash } from "@dandi-effect/core/Hasher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createMD5, createSHA1, createSHA256, createSHA512 } from "hash-wasm"
import type { IHasher } from "hash-wasm"

interface Handle {
  saved: Uint8Array | undefined
}

const multiplexed = (instance: IHasher): (() => IncrementalHash) => {
  let owner: Handle | undefined
  const activate = (handle: Handle) => {
    if (owner === handle) return
    if (owner !== undefined) owner.saved = instance.save()
    if (handle.saved === undefined) instance.init()
    else instance.load(handle.saved)
    handle.saved = undefined
    owner = handle
  }
  return () => {
    const handle: Handle = { saved: undefined }
    return {
      update: (chunk) => {
        activate(handle)
        instance.update(chunk)
      },
      digest: () => {
        activate(handle)
        // Copy out: the returned view may alias WASM memory that the next hash overwrites.
        const digest = instance.digest("binary").slice()
        owner = undefined
        return digest
      }
    }
  }
}

/**
 * Instantiates the four WASM hashers, then hashes synchronously.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<HasherShape> = Effect.promise(async () => {
  const [md5, sha1, sha256, sha512] = await Promise.all([createMD5(), createSHA1(), createSHA256(), createSHA512()])
  const factories: Record<HashAlgorithm, () => IncrementalHash> = {
    md5: multiplexed(md5),
    sha1: multiplexed(sha1),
    sha256: multiplexed(sha256),
    sha512: multiplexed(sha512)
  }
  return { create: (algorithm) => factories[algorithm]() } satisfies HasherShape
})

/**
 * The Hasher over hash-wasm's WebAssembly MD5 and SHA hashers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Hasher> = Layer.effect(Hasher, make)
