/**
 * The browser digests in real Chromium: hash-wasm's WebAssembly hashers run the same spec §8
 * vectors as every other Hasher (packages/core/test/DigestVectors.ts), and BlobByteSource reads
 * Chromium's own Blobs.
 */
import * as BlobByteSource from "@dandi-effect/browser/BlobByteSource"
import * as BrowserHasher from "@dandi-effect/browser/BrowserHasher"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { etagVectors, hasherConformance, zeros130MiB } from "../../core/test/DigestVectors.js"

describe("the page", () => {
  it("is Chromium, not Node", () => {
    expect(typeof window).toBe("object")
    expect(typeof process === "undefined" || process.versions?.node === undefined).toBe(true)
    expect(navigator.userAgent).toMatch(/Chrome\/\d+/)
    expect(typeof WebAssembly.instantiate).toBe("function")
  })
})

hasherConformance("BrowserHasher.layer (hash-wasm) in Chromium", BrowserHasher.layer)

describe("BlobByteSource over Chromium Blobs", () => {
  for (const vector of etagVectors) {
    it.effect(`dandi-etag of a Blob: ${vector.label}`, () =>
      Effect.gen(function*() {
        const source = BlobByteSource.fromBlob(new Blob([Uint8Array.from(vector.bytes)]), "v.bin")
        expect(yield* DandiEtag.fromSource(source)).toBe(vector.etag)
      }).pipe(Effect.provide(BrowserHasher.layer)))
  }

  it.effect("130 MiB of zeros as a File, parts read concurrently", () =>
    Effect.gen(function*() {
      const file = new File([new Uint8Array(zeros130MiB.size)], "zeros.bin")
      const source = BlobByteSource.fromBlob(file)
      expect(source.name).toBe("zeros.bin")
      expect(yield* DandiEtag.fromSource(source, { concurrency: 3 })).toBe(zeros130MiB.etag)
    }).pipe(Effect.provide(BrowserHasher.layer)))
})
