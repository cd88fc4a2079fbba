import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Stream } from "effect"
import * as Digest from "@dandi-effect/core/Digest"
import * as Hasher from "@dandi-effect/core/Hasher"
import { chunked, hasherConformance } from "./DigestVectors.js"

hasherConformance("Hasher.layerPortable", Hasher.layerPortable)

describe("Digest", () => {
  it.effect.prop(
    "chunk boundaries never change a plain digest",
    {
      bytes: FastCheck.uint8Array({ minLength: 0, maxLength: 3000 }),
      chunkSize: FastCheck.integer({ min: 1, max: 300 }),
      algorithm: FastCheck.constantFrom("md5" as const, "sha1" as const, "sha256" as const, "sha512" as const)
    },
    ({ algorithm, bytes, chunkSize }) =>
      Effect.gen(function*() {
        const whole = yield* Digest.bytes(algorithm, bytes)
        const streamed = yield* Digest.stream(algorithm)(Stream.fromIterable(chunked(bytes, chunkSize)))
        expect(streamed).toBe(whole)
      }).pipe(Effect.provide(Hasher.layerPortable))
  )

  it("classifies the algorithms the CLI accepts", () => {
    expect(Digest.digestAlgorithms.filter(Digest.isPlainAlgorithm)).toEqual(Digest.plainAlgorithms)
  })
})
