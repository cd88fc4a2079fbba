/**
 * The digest vectors of spec/client-behaviour.md §8, and a conformance suite that runs them
 * against any `Hasher` layer (portable, node:crypto, hash-wasm). Imported by each package's tests.
 */
import { describe, expect, layer } from "@effect/vitest"
import type { Layer } from "effect"
import { Effect, Either, Stream } from "effect"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import * as Digest from "@dandi-effect/core/Digest"
import type { Hasher } from "@dandi-effect/core/Hasher"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"

const MiB = 2 ** 20
export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** §8.1 "Other plain digests". */
export const plainVectors: ReadonlyArray<{
  readonly label: string
  readonly bytes: () => Uint8Array
  readonly digests: Partial<Record<"md5" | "sha1" | "sha256" | "sha512", string>>
}> = [
  {
    label: "\"123\"",
    bytes: () => ascii("123"),
    digests: {
      md5: "202cb962ac59075b964b07152d234b70",
      sha1: "40bd001563085fc35165329ea1ff5c5ecbdbbeef",
      sha256: "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"
    }
  },
  {
    label: "0x00",
    bytes: () => new Uint8Array(1),
    digests: {
      md5: "93b885adfe0da089cdf634904fd59f71",
      sha256: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    }
  },
  {
    label: "\"123abz\\n\" x 1,000,000",
    bytes: () => {
      const unit = ascii("123abz\n")
      const out = new Uint8Array(unit.length * 1_000_000)
      for (let i = 0; i < 1_000_000; i++) out.set(unit, i * unit.length)
      return out
    },
    digests: {
      md5: "81b196e3d8a1db4dd2e89faa39614396",
      sha256: "80028815b3557e30d7cbef1d8dbc30af0ec0858eff34b960d2839fd88ad08871"
    }
  }
]

/** §8.1 digest vectors for whole inputs. */
export const etagVectors: ReadonlyArray<{ readonly label: string; readonly bytes: Uint8Array; readonly etag: string }> = [
  { label: "\"123\"", bytes: ascii("123"), etag: "d022646351048ac0ba397d12dfafa304-1" },
  { label: "0x00", bytes: new Uint8Array(1), etag: "7e4696ef25d5faececd853ce5e2a233b-1" },
  { label: "empty", bytes: new Uint8Array(0), etag: "d41d8cd98f00b204e9800998ecf8427e-0" }
]

/** §8.1: 130 MiB of zeros fed as 20+30+75+5 MiB chunks. */
export const zeros130MiB = {
  size: 130 * MiB,
  chunks: (): Array<Uint8Array> => {
    const zeros = new Uint8Array(75 * MiB)
    return [20, 30, 75, 5].map((n) => zeros.subarray(0, n * MiB))
  },
  etag: "4dc80858c50371577551592f20ac0075-3"
}

/** §8.1: the part MD5s of a 640 MiB file. */
export const tenParts = {
  size: 640 * MiB,
  md5s: [
    "061c9aeeac020fd8a1d1c9cb621d2756",
    "d57a929209ddfb58f60583cbcf96de25",
    "7a889ee76d9a0a7b3d852cc2745f1e23",
    "84c63c4d1a2425ac3f1a0b74f07c7359",
    "a398c164f565db3bd0e587198dcd35e9",
    "d7e10cf2fa983529a88aa7197a252996",
    "fe1282db5e0f727c9fd59234ba3fd544",
    "2a7e40b4193aa0a2c0a57182cd677640",
    "af8988565e009f8febf81e9017e4f7f4",
    "f809b3666e219c138e1d86fd7d9148bf"
  ],
  etag: "8e5394f58846c6874be226c5a251f780-10"
}

/** Views of `bytes` in pieces of `size` (the last may be shorter). */
export const chunked = (bytes: Uint8Array, size: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size))
  return out
}

export const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16))

/** §8.2: the 8-file tree of dandi-cli `test_get_zarr_checksum` (plus an empty dir, not listed). */
export const eightFileTree: ReadonlyArray<{ readonly path: string; readonly content: string; readonly md5: string }> = [
  { path: "file1.txt", content: "This is the first file.\n", md5: "d0aa42f003e36c1ecaf9aa8f20b6f1ad" },
  { path: "file2.txt", content: "This is the second file.\n", md5: "340c108ee69bf4626e7995a7048f52b8" },
  { path: "sub1/file3.txt", content: "This is the third file.\n", md5: "7351dc767bfad322ddce50401badc359" },
  { path: "sub1/file4.txt", content: "This is the fourth file.\n", md5: "bbede70f39fa8fc34f2dc4eda8b6bdea" },
  { path: "sub1/file5.txt", content: "This is the fifth file.\n", md5: "c4e828c509f90b84e5b72d9d5612d676" },
  { path: "sub1/subsub/file6.txt", content: "This is the sixth file.\n", md5: "6a7fe3b9e2c69a54216b7d5dcb4fe61d" },
  { path: "sub2/file7.txt", content: "This is the seventh file.\n", md5: "db0ecc46143ddc75286cfe40960ade21" },
  { path: "sub2/file8.txt", content: "This is the eighth file.\n", md5: "7aadbff2b21f438baccded18b2e81ae3" }
]
export const eightFileTreeChecksum = "25627e0fc7c609d10100d020f7782a25-8--197"
export const eightFileSub1Checksum = "64af93ad7f8d471c00044d1ddbd4c0ba-4--97"

/** Runs every §8 vector that exercises hashing against the given Hasher layer. */
export const hasherConformance = (name: string, hasherLayer: Layer.Layer<Hasher>) =>
  layer(hasherLayer)(`${name}: spec §8 vectors`, (it) => {
    describe("plain digests", () => {
      for (const vector of plainVectors) {
        for (const [algorithm, expected] of Object.entries(vector.digests)) {
          it.effect(`${algorithm} of ${vector.label}`, () =>
            Effect.gen(function*() {
              const bytes = vector.bytes()
              // Odd chunk sizes so incremental updates cross block boundaries.
              const chunks = Stream.fromIterable(chunked(bytes, 4099))
              const digest = yield* Digest.stream(algorithm as "md5")(chunks)
              expect(digest).toBe(expected)
            }))
        }
      }
    })

    describe("dandi-etag", () => {
      for (const vector of etagVectors) {
        it.effect(`etag of ${vector.label}`, () =>
          Effect.gen(function*() {
            const etag = yield* DandiEtag.stream(vector.bytes.length)(Stream.make(vector.bytes))
            expect(etag).toBe(vector.etag)
          }))
      }

      it.effect("130 MiB of zeros in 20+30+75+5 MiB chunks", () =>
        Effect.gen(function*() {
          const etag = yield* DandiEtag.stream(zeros130MiB.size)(Stream.fromIterable(zeros130MiB.chunks()))
          expect(etag).toBe(zeros130MiB.etag)
        }))

      it.effect("10 part digests supplied out of order", () =>
        Effect.gen(function*() {
          const plan = yield* DandiEtag.plan(tenParts.size)
          const digests = tenParts.md5s
            .map((md5, i) => new DandiEtag.PartDigest({ partNumber: i + 1, md5: fromHex(md5) }))
            .reverse()
          expect(yield* DandiEtag.fromPartDigests(plan.partCount, digests)).toBe(tenParts.etag)
        }))
    })

    describe("zarr-checksum", () => {
      it.effect("the 8-file tree", () =>
        Effect.gen(function*() {
          const leaves = eightFileTree.map((f) => ({ path: f.path, size: f.content.length, digest: f.md5 }))
          expect(String(yield* ZarrChecksum.ofLeaves(leaves))).toBe(eightFileTreeChecksum)
        }))

      it.effect("code-point order and surrogate pairs", () =>
        Effect.gen(function*() {
          const checksum = yield* ZarrChecksum.ofManifest({
            files: [{ name: "\u{1F600}", digest: "b".repeat(32), size: 2 }, { name: "\uFF61", digest: "a".repeat(32), size: 1 }],
            directories: []
          })
          expect(String(checksum)).toBe("f558d7bc5f6c11665eeda54b3a1f042e-2--3")
        }))
    })
  })

export const parseChecksum = (text: string): ZarrChecksum.ZarrChecksum => Either.getOrThrow(ZarrChecksum.parse(text))
