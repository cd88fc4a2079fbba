import { describe, expect, it } from "@effect/vitest"
import * as Hasher from "@dandi-effect/core/Hasher"
import { deterministicBytes, deterministicStream } from "@dandi-effect/core/testing/DeterministicBytes"
import * as ServerDigests from "../../src/testing/ServerDigests.js"
import * as ObjectStore from "../../src/testing/ObjectStore.js"
import { Chunk, Effect, Stream } from "effect"

const hex = (bytes: Uint8Array) => Hasher.toHex(bytes)
const a32 = "a".repeat(32)
const b32 = "b".repeat(32)

describe("emulator server-side digests", () => {
  it("generates the documented deterministic bytes (vectors from an independent Python rendering)", () => {
    expect(hex(deterministicBytes(1, 0, 12))).toBe("eb02fd11d93d4ba65d27327e")
    expect(hex(deterministicBytes(0, 0, 8))).toBe("00000000b7284e51")
    expect(hex(deterministicBytes(42, 0, 10))).toBe("90e94b6632dc2c966dc7")
  })

  it("produces any range consistently with the whole", () => {
    const whole = deterministicBytes(9, 0, 64)
    for (const [offset, length] of [[0, 64], [1, 10], [3, 5], [13, 40], [63, 1]] as const) {
      expect(hex(deterministicBytes(9, offset, length))).toBe(hex(whole.subarray(offset, offset + length)))
    }
  })

  it.effect("streams ranges in chunks of the requested size", () =>
    Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(deterministicStream(5, 7, 25, 10)))
      expect(chunks.map((c) => c.length)).toEqual([10, 10, 5])
      expect(hex(Uint8Array.from(chunks.flatMap((c) => [...c])))).toBe(hex(deterministicBytes(5, 7, 25)))
    }))

  it("plans parts per dandischema's vectors", () => {
    const MiB = 1024 * 1024
    const plan = (size: number) => {
      const parts = ServerDigests.partPlan(size)
      return [parts.length, parts[0]?.size ?? 0, parts[parts.length - 1]?.size ?? 0]
    }
    expect(plan(0)).toEqual([0, 0, 0])
    expect(plan(1)).toEqual([1, 1, 1])
    expect(plan(64 * MiB)).toEqual([1, 64 * MiB, 64 * MiB])
    expect(plan(50 * MiB)).toEqual([1, 50 * MiB, 50 * MiB])
    expect(plan(70 * MiB)).toEqual([2, 64 * MiB, 6 * MiB])
    expect(plan(140 * MiB)).toEqual([3, 64 * MiB, 12 * MiB])
    expect(plan(640 * MiB)).toEqual([10, 64 * MiB, 64 * MiB])
    expect(plan(5 * 1024 * 1024 * MiB)).toEqual([10000, 549755814, 549754694])
  })

  it("computes dandi-etags of the spec's vectors", () => {
    const etag = (bytes: Uint8Array) => ObjectStore.blobDigestsOf(Hasher.portable, { _tag: "Bytes", bytes }).etag
    expect(etag(new TextEncoder().encode("123"))).toBe("d022646351048ac0ba397d12dfafa304-1")
    expect(etag(new Uint8Array([0]))).toBe("7e4696ef25d5faececd853ce5e2a233b-1")
    expect(etag(new Uint8Array())).toBe("d41d8cd98f00b204e9800998ecf8427e-0")
    const parts = [
      "061c9aeeac020fd8a1d1c9cb621d2756", "d57a929209ddfb58f60583cbcf96de25", "7a889ee76d9a0a7b3d852cc2745f1e23",
      "84c63c4d1a2425ac3f1a0b74f07c7359", "a398c164f565db3bd0e587198dcd35e9", "d7e10cf2fa983529a88aa7197a252996",
      "fe1282db5e0f727c9fd59234ba3fd544", "2a7e40b4193aa0a2c0a57182cd677640", "af8988565e009f8febf81e9017e4f7f4",
      "f809b3666e219c138e1d86fd7d9148bf"
    ]
    expect(ServerDigests.multipartEtag(Hasher.portable, parts)).toBe("8e5394f58846c6874be226c5a251f780-10")
  })

  it("computes zarr checksums of the spec's vectors", () => {
    const sum = (files: Record<string, [string, number]>) =>
      ServerDigests.zarrChecksum(Hasher.portable, Object.entries(files).map(([k, [md5, size]]) => [k, { md5, size }]))
    expect(sum({})).toBe("481a2f77ab786a0f45aafd5db0971caa-0--0")
    expect(sum({ bar: [a32, 1] })).toBe("f21b9b4bf53d7ce1167bcfae76371e59-1--1")
    expect(sum({ bar: [a32, 1], baz: [b32, 2] })).toBe("4e67de4393d14c1e9c472438f0f1f8b1-2--3")
    expect(sum({ "a/b": ["9dd4e461268c8034f5c8564e155c67a6", 1], c: ["415290769594460e2e485922904f345d", 1] }))
      .toBe("26054e501f570a8bfa69a2bc75e7c82d-2--2")
    expect(sum({ "é": [a32, 1], z: [b32, 2] })).toBe("f2b74a766c5eb4348f945114223013c0-2--3")
    expect(sum({ "\uff61": [a32, 1], "\u{1F600}": [b32, 2] })).toBe("f558d7bc5f6c11665eeda54b3a1f042e-2--3")
    expect(sum({
      ".zgroup": ["e20297935e73dd0154104d4ea53040ab", 24],
      "arr_0/.zarray": ["9e30a0a1a465e24220d4132fdd544634", 315],
      "arr_0/0": ["ed4e934a474f1d2096846c6248f18c00", 431],
      "arr_1/.zarray": ["9e30a0a1a465e24220d4132fdd544634", 315],
      "arr_1/0": ["fba4dee03a51bde314e9713b00284a93", 431]
    })).toBe("4313ab36412db2981c3ed391b38604d6-5--1516")
  })
})
