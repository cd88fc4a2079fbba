/**
 * The browser digests in real Chromium: hash-wasm's WebAssembly hashers run the same spec §8
 * vectors as every other Hasher (packages/core/test/DigestVectors.ts), and BlobByteSource reads
 * Chromium's own Blobs.
 */
import * as BrowserHasher from "@dandi-effect/browser/BrowserHasher"
import { describe, expect, it } from "@effect/vitest"
import { hasherConformance } from "../../core/test/DigestVectors.js"
import { blobSourceConformance } from "../test/BlobSourceSuite.js"

describe("the page", () => {
  it("is Chromium, not Node", () => {
    expect(typeof window).toBe("object")
    expect(typeof process === "undefined" || process.versions?.node === undefined).toBe(true)
    expect(navigator.userAgent).toMatch(/Chrome\/\d+/)
    expect(typeof WebAssembly.instantiate).toBe("function")
  })
})

hasherConformance("BrowserHasher.layer (hash-wasm) in Chromium", BrowserHasher.layer)

blobSourceConformance("BlobByteSource over Chromium Blobs and Files")
