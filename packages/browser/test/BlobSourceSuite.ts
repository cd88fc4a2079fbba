/**
 * BlobByteSource conformance, registered by both the Node project (test/) and the real-Chromium
 * project (test-chromium/): the spec §8.1 dandi-etag vectors read from Blobs, and a multi-part
 * File read with concurrent parts.
 */
import * as BlobByteSource from "@dandi-effect/browser/BlobByteSource"
import * as BrowserHasher from "@dandi-effect/browser/BrowserHasher"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { etagVectors, zeros130MiB } from "../../core/test/DigestVectors.js"

export const blobSourceConformance = (label: string) =>
  describe(label, () => {
    for (const vector of etagVectors) {
      it.effect(`dandi-etag of a Blob: ${vector.label}`, () =>
        Effect.gen(function*() {
          const source = BlobByteSource.fromBlob(new Blob([Uint8Array.from(vector.bytes)]), "v.bin")
          expect(yield* DandiEtag.fromSource(source)).toBe(vector.etag)
        }).pipe(Effect.provide(BrowserHasher.layer)))
    }

    it.effect("130 MiB of zeros as a File, parts read concurrently (spec §8.1)", () =>
      Effect.gen(function*() {
        const source = BlobByteSource.fromBlob(new File([new Uint8Array(zeros130MiB.size)], "zeros.bin"))
        expect(source.name).toBe("zeros.bin")
        expect(yield* DandiEtag.fromSource(source, { concurrency: 3 })).toBe(zeros130MiB.etag)
      }).pipe(Effect.provide(BrowserHasher.layer)))
  })
