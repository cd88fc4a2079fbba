import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import { eightFileSub1Checksum, eightFileTree, eightFileTreeChecksum, parseChecksum } from "./DigestVectors.js"

const a32 = "a".repeat(32)
const b32 = "b".repeat(32)
const file = (name: string, digest: string, size: number) => ({ name, digest, size })
const dir = (name: string, digest: string) => ({ name, checksum: parseChecksum(digest) })
const run = <A, E>(effect: Effect.Effect<A, E, Hasher.Hasher>) => Effect.provide(effect, Hasher.layerPortable)

describe("ZarrChecksum.ofManifest (dandi-cli checksum_zarr_dir vectors, spec §8.2)", () => {
  const vectors: Array<[string, ZarrChecksum.Manifest, string]> = [
    ["no files", { files: [], directories: [] }, "481a2f77ab786a0f45aafd5db0971caa-0--0"],
    ["one file", { files: [file("bar", a32, 1)], directories: [] }, "f21b9b4bf53d7ce1167bcfae76371e59-1--1"],
    ["one dir", { files: [], directories: [dir("bar", `${a32}-1--1`)] }, "ea8b8290b69b96422a3ed1cca0390f21-1--1"],
    ["two files", { files: [file("bar", a32, 1), file("baz", b32, 2)], directories: [] }, "4e67de4393d14c1e9c472438f0f1f8b1-2--3"],
    [
      "two dirs",
      { files: [], directories: [dir("bar", `${a32}-1--1`), dir("baz", `${b32}-1--2`)] },
      "859ca1926affe9c7d0424030f26fbd89-2--3"
    ],
    [
      "two dirs inserted out of order",
      { files: [], directories: [dir("baz", `${b32}-1--1`), dir("bar", `${a32}-1--2`)] },
      "8f8361a286c9a7c3fbfd464e33989037-2--3"
    ],
    [
      "a file and a dir",
      { files: [file("baz", a32, 1)], directories: [dir("bar", `${b32}-1--2`)] },
      "3cb139f47d3a3580388f41956c15f55e-2--3"
    ],
    [
      "zarr_checksum manifest test",
      {
        files: [file("b", "92eb5ffee6ae2fec3ad71c777531578f-1--1", 1)],
        directories: [dir("a/b", "a7e86136543b019d72468ceebf71fb8e-1--1")]
      },
      "2ed39fd5ae56fd4177c4eb503d163528-2--2"
    ],
    [
      "non-ASCII: z sorts before é",
      { files: [file("é", a32, 1), file("z", b32, 2)], directories: [] },
      "f2b74a766c5eb4348f945114223013c0-2--3"
    ],
    [
      "U+FF61 sorts before U+1F600 (code points, not UTF-16 units)",
      { files: [file("\u{1F600}", b32, 2), file("\uFF61", a32, 1)], directories: [] },
      "f558d7bc5f6c11665eeda54b3a1f042e-2--3"
    ]
  ]
  for (const [label, manifest, expected] of vectors) {
    it.effect(label, () => run(Effect.map(ZarrChecksum.ofManifest(manifest), (c) => expect(c.toString()).toBe(expected))))
  }

  it("writes the manifest JSON exactly as Python's json.dumps(ensure_ascii=True)", () => {
    expect(ZarrChecksum.manifestJson({ files: [file("é", a32, 1), file("z", b32, 2)], directories: [] })).toBe(
      `{"directories":[],"files":[{"digest":"${b32}","name":"z","size":2},{"digest":"${a32}","name":"\\u00e9","size":1}]}`
    )
    expect(ZarrChecksum.jsonString("\uFF61\u{1F600}")).toBe("\"\\uff61\\ud83d\\ude00\"")
    expect(ZarrChecksum.jsonString("q\"b\\s/\n\r\t\b\f\u0001\u007f")).toBe(
      "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u007f\""
    )
  })
})

describe("ZarrChecksum.ofLeaves (tree vectors, spec §8.2)", () => {
  it.effect("no files is the empty checksum", () =>
    run(Effect.map(ZarrChecksum.ofLeaves([]), (c) => expect(c).toEqual(ZarrChecksum.empty))))

  it.effect("leaves a/b and c", () =>
    run(Effect.gen(function*() {
      const checksum = yield* ZarrChecksum.ofLeaves([
        { path: "a/b", size: 1, digest: "9dd4e461268c8034f5c8564e155c67a6" },
        { path: "c", size: 1, digest: "415290769594460e2e485922904f345d" }
      ])
      expect(checksum.toString()).toBe("26054e501f570a8bfa69a2bc75e7c82d-2--2")
    })))

  const eightLeaves = eightFileTree.map((f) => ({ path: f.path, size: f.content.length, digest: f.md5 }))

  it.effect("the 8-file tree and its sub1 subtree", () =>
    run(Effect.gen(function*() {
      const tree = new ZarrChecksum.Tree()
      for (const leaf of eightLeaves) tree.add(leaf)
      const checksums = yield* tree.checksums(yield* Hasher.Hasher)
      expect(checksums.get("")!.toString()).toBe(eightFileTreeChecksum)
      expect(checksums.get("sub1")!.toString()).toBe(eightFileSub1Checksum)
    })))

  it.effect("the 8-file tree with file1.txt's md5 overridden", () =>
    run(Effect.gen(function*() {
      const leaves = eightLeaves.map((l) => l.path === "file1.txt" ? { ...l, digest: "9ee7a152c5adb60803c928733acc1533" } : l)
      expect((yield* ZarrChecksum.ofLeaves(leaves)).toString()).toBe("f77f4c5b277575f781c19ba91422f0c5-8--197")
    })))

  it.effect("real Zarr v2 layout", () =>
    run(Effect.gen(function*() {
      const tree = new ZarrChecksum.Tree()
      for (
        const [path, size, digest] of [
          [".zgroup", 24, "e20297935e73dd0154104d4ea53040ab"],
          ["arr_0/.zarray", 315, "9e30a0a1a465e24220d4132fdd544634"],
          ["arr_0/0", 431, "ed4e934a474f1d2096846c6248f18c00"],
          ["arr_1/.zarray", 315, "9e30a0a1a465e24220d4132fdd544634"],
          ["arr_1/0", 431, "fba4dee03a51bde314e9713b00284a93"]
        ] as const
      ) tree.add({ path, size, digest })
      const checksums = yield* tree.checksums(yield* Hasher.Hasher)
      expect(checksums.get("")!.toString()).toBe("4313ab36412db2981c3ed391b38604d6-5--1516")
      expect(checksums.get("arr_0")!.toString()).toBe("51c74ec257069ce3a555bdddeb50230a-2--746")
      expect(checksums.get("arr_1")!.toString()).toBe("7b99a0ad9bd8bb3331657e54755b1a31-2--746")
    })))

  it.effect("real Zarr v3 layout", () =>
    run(Effect.gen(function*() {
      const tree = new ZarrChecksum.Tree()
      for (
        const [path, size, digest] of [
          ["arr_0/c/0", 1573, "6c237f8d2d4a41bc1e26e31518dafd9e"],
          ["arr_0/zarr.json", 619, "850fae056c97aa9c76df0a52411f4086"],
          ["arr_1/c/0", 1058, "084d662af7251a807649fb48edc36e95"],
          ["arr_1/zarr.json", 619, "850fae056c97aa9c76df0a52411f4086"],
          ["zarr.json", 66, "457126c0639af2eba0140851c39c1aad"]
        ] as const
      ) tree.add({ path, size, digest })
      const checksums = yield* tree.checksums(yield* Hasher.Hasher)
      expect(checksums.get("")!.toString()).toBe("00157f091c9a6295e89eb3c4c2efaeff-5--3935")
      expect(checksums.get("arr_0/c")!.toString()).toBe("93912a45f2107a08090f7b283297d662-1--1573")
      expect(checksums.get("arr_0")!.toString()).toBe("ae16256ae750e4303674ccf1e23fa3c6-2--2192")
      expect(checksums.get("arr_1/c")!.toString()).toBe("2642f5d2df2cddf469313abd9910b371-1--1058")
      expect(checksums.get("arr_1")!.toString()).toBe("debc9ca4b2184a6ef1a3d6fcf7d79fd9-2--1677")
    })))

  it.effect("a path listed twice is a typed error naming it", () =>
    run(Effect.gen(function*() {
      const error = yield* ZarrChecksum.ofLeaves([
        { path: "x/y", size: 1, digest: a32 },
        { path: "x/y", size: 1, digest: b32 }
      ]).pipe(Effect.flip)
      expect(error._tag).toBe("DuplicateZarrEntry")
      expect(error.message).toContain("x/y")
    })))

  it.effect("200k synthetic leaves stay fast and sum sizes exactly beyond 2^53", () =>
    run(Effect.gen(function*() {
      const leaves = function*() {
        for (let i = 0; i < 200_000; i++) {
          // Chunk-like layout: 40 arrays of 5,000 chunks under nested chunk directories.
          yield { path: `arr_${i % 40}/c/${(i >> 6) % 50}/${i}`, size: 2 ** 40, digest: a32 }
        }
      }
      const started = Date.now()
      const checksum = yield* ZarrChecksum.ofLeaves(leaves())
      expect(checksum.count).toBe(200_000)
      expect(checksum.size).toBe(200_000n * 2n ** 40n)
      // Generous: quadratic behaviour would take minutes, O(n log n) takes about a second.
      expect(Date.now() - started).toBeLessThan(15_000)
    })))
})

describe("ZarrChecksum.SortedStream (files in key order, only open directories held)", () => {
  const inKeyOrder = <A extends { readonly path: string }>(leaves: ReadonlyArray<A>) =>
    [...leaves].sort((x, y) => ZarrChecksum.compareCodePoints(x.path, y.path))

  it.effect("the 8-file tree gives the spec's checksum", () =>
    run(Effect.gen(function*() {
      const stream = new ZarrChecksum.SortedStream(yield* Hasher.Hasher)
      const leaves = eightFileTree.map((f) => ({ path: f.path, size: f.content.length, digest: f.md5 }))
      for (const leaf of inKeyOrder(leaves)) expect(stream.add(leaf)).toBe(true)
      expect(Either.getOrThrow(stream.result()).toString()).toBe(eightFileTreeChecksum)
    })))

  it.effect("agrees with the whole-tree computation where key order and name order differ", () =>
    run(Effect.gen(function*() {
      const hasher = yield* Hasher.Hasher
      // "a.b" sorts before "a/…" as a key but after the directory "a" as a name; astral and
      // BMP-private names exercise code-point order.
      const names = ["a", "a.b", "a-b", "b", "\uff61", "\ud83d\ude00", "é", "z"]
      const leaves: Array<{ path: string; size: number; digest: string }> = []
      let n = 0
      for (const top of names) {
        for (const mid of names) {
          if (top === "a.b" || mid === "a.b") leaves.push({ path: `${top}.x/${mid}.y`, size: n, digest: a32 })
          else leaves.push({ path: `${top}/${mid}/${n % 3}`, size: n, digest: n % 2 === 0 ? a32 : b32 })
          n++
        }
        leaves.push({ path: `${top}.file`, size: n++, digest: b32 })
      }
      const stream = new ZarrChecksum.SortedStream(hasher)
      for (const leaf of inKeyOrder(leaves)) stream.add(leaf)
      const expected = yield* ZarrChecksum.ofLeaves(leaves)
      expect(Either.getOrThrow(stream.result()).toString()).toBe(expected.toString())
    })))

  it.effect("no files is the empty checksum; a repeated or out-of-order key is a typed error", () =>
    run(Effect.gen(function*() {
      const hasher = yield* Hasher.Hasher
      expect(Either.getOrThrow(new ZarrChecksum.SortedStream(hasher).result()).toString()).toBe(
        "481a2f77ab786a0f45aafd5db0971caa-0--0"
      )
      const repeated = new ZarrChecksum.SortedStream(hasher)
      repeated.add({ path: "x/y", size: 1, digest: a32 })
      expect(repeated.add({ path: "x/y", size: 1, digest: a32 })).toBe(false)
      expect(Either.getLeft(repeated.result()).pipe((e) => e._tag === "Some" && e.value.path)).toBe("x/y")
      const backwards = new ZarrChecksum.SortedStream(hasher)
      backwards.add({ path: "b", size: 1, digest: a32 })
      expect(backwards.add({ path: "a", size: 1, digest: a32 })).toBe(false)
      expect(Either.isLeft(backwards.result())).toBe(true)
      const clash = new ZarrChecksum.SortedStream(hasher)
      clash.add({ path: "a", size: 1, digest: a32 })
      clash.add({ path: "a/b", size: 1, digest: a32 })
      expect(Either.isLeft(clash.result())).toBe(true)
    })))
})

describe("ZarrChecksum.parse", () => {
  it("round-trips a checksum string", () => {
    const text = "4313ab36412db2981c3ed391b38604d6-5--1516"
    const parsed = Either.getOrThrow(ZarrChecksum.parse(text))
    expect([parsed.md5, parsed.count, parsed.size]).toEqual(["4313ab36412db2981c3ed391b38604d6", 5, 1516n])
    expect(ZarrChecksum.format(parsed)).toBe(text)
  })

  it("null is the empty checksum", () => {
    expect(Either.getOrThrow(ZarrChecksum.parse(null)).toString()).toBe("481a2f77ab786a0f45aafd5db0971caa-0--0")
  })

  for (const bad of ["", "abc", `${a32}-1-1`, `${"A".repeat(32)}-1--1`, `${a32}-x--1`, `${a32}-1--1 `]) {
    it(`rejects ${JSON.stringify(bad)} with InvalidZarrChecksum`, () => {
      const result = ZarrChecksum.parse(bad)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("InvalidZarrChecksum")
        expect(result.left.message).toContain("expected \"<32 lower-case hex>-<file count>--<total size>\"")
      }
    })
  }
})
