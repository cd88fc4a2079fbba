import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import { Hasher, toHex } from "@dandi-effect/core/Hasher"
import * as BlobByteSource from "@dandi-effect/browser/BlobByteSource"
import * as BrowserHasher from "@dandi-effect/browser/BrowserHasher"
import { ascii, etagVectors, hasherConformance, plainVectors } from "../../core/test/DigestVectors.js"

hasherConformance("BrowserHasher.layer (hash-wasm)", BrowserHasher.layer)

describe("BrowserHasher", () => {
  it.effect("interleaved hashes sharing one WASM instance keep their own state", () =>
    Effect.gen(function*() {
      const hasher = yield* Hasher
      const a = hasher.create("md5")
      const b = hasher.create("md5")
      const c = hasher.create("sha256")
      a.update(ascii("1"))
      b.update(new Uint8Array(1))
      c.update(ascii("12"))
      a.update(ascii("2"))
      const fresh = hasher.create("md5")
      fresh.update(ascii("12"))
      a.update(ascii("3"))
      c.update(ascii("3"))
      // "123" and 0x00 vectors from spec §8.1.
      expect(toHex(a.digest())).toBe("202cb962ac59075b964b07152d234b70")
      expect(toHex(b.digest())).toBe("93b885adfe0da089cdf634904fd59f71")
      expect(toHex(c.digest())).toBe(plainVectors[0]!.digests.sha256)
      fresh.update(ascii("3"))
      expect(toHex(fresh.digest())).toBe("202cb962ac59075b964b07152d234b70")
    }).pipe(Effect.provide(BrowserHasher.layer)))
})

describe("BlobByteSource", () => {
  for (const vector of etagVectors) {
    it.effect(`dandi-etag of a Blob: ${vector.label}`, () =>
      Effect.gen(function*() {
        const source = BlobByteSource.fromBlob(new Blob([Uint8Array.from(vector.bytes)]), "v.bin")
        expect(yield* DandiEtag.fromSource(source)).toBe(vector.etag)
      }).pipe(Effect.provide(BrowserHasher.layer)))
  }

  it.effect("130 MiB of zeros as a Blob, parts read concurrently (spec §8.1)", () =>
    Effect.gen(function*() {
      const source = BlobByteSource.fromBlob(new Blob([new Uint8Array(130 * 2 ** 20)]), "zeros.bin")
      expect(yield* DandiEtag.fromSource(source, { concurrency: 3 })).toBe("4dc80858c50371577551592f20ac0075-3")
    }).pipe(Effect.provide(BrowserHasher.layer)))

  it("takes a File's name", () => {
    expect(BlobByteSource.fromBlob(new File(["x"], "photo.nwb")).name).toBe("photo.nwb")
  })
})
