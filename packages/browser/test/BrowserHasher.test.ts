import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Hasher, toHex } from "@dandi-effect/core/Hasher"
import * as BrowserHasher from "@dandi-effect/browser/BrowserHasher"
import { ascii, hasherConformance, plainVectors } from "../../core/test/DigestVectors.js"
import { blobSourceConformance } from "./BlobSourceSuite.js"

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

blobSourceConformance("BlobByteSource")
