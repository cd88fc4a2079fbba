import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { mkdir, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import * as HashWorkerPool from "@dandi-effect/node/HashWorkerPool"
import * as LocalZarr from "@dandi-effect/node/LocalZarr"
import { eightFileSub1Checksum, eightFileTreeChecksum, parseChecksum } from "../../core/test/DigestVectors.js"
import { tempDir, writeEightFileTree } from "./DigestFixtures.js"

layer(HashWorkerPool.layer({ workers: 2 }), { excludeTestServices: true })("LocalZarr", (it) => {
  it.scoped("the 8-file tree on disk (with an empty directory) matches spec §8.2", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      yield* writeEightFileTree(root)
      expect(String(yield* LocalZarr.checksum(root))).toBe(eightFileTreeChecksum)
      expect(String(yield* LocalZarr.checksum(join(root, "sub1")))).toBe(eightFileSub1Checksum)
    }))

  it.scoped("excluded names at any depth are ignored", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      yield* writeEightFileTree(root, { withNoise: true })
      expect(String(yield* LocalZarr.checksum(root))).toBe(eightFileTreeChecksum)
      const listing = LocalZarr.files(root)
      const paths = Chunk.toArray(yield* Stream.runCollect(listing)).map((f) => f.path).sort()
      // Running the same Stream again walks again.
      expect(Chunk.size(yield* Stream.runCollect(listing))).toBe(8)
      expect(paths).toEqual([
        "file1.txt",
        "file2.txt",
        "sub1/file3.txt",
        "sub1/file4.txt",
        "sub1/file5.txt",
        "sub1/subsub/file6.txt",
        "sub2/file7.txt",
        "sub2/file8.txt"
      ])
    }))

  it.scoped("an empty directory has the empty checksum", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      yield* Effect.promise(() => mkdir(join(root, "a", "b"), { recursive: true }))
      expect(String(yield* LocalZarr.checksum(root))).toBe("481a2f77ab786a0f45aafd5db0971caa-0--0")
    }))

  it.scoped("symbolic links are followed", () =>
    Effect.gen(function*() {
      const target = yield* tempDir()
      yield* writeEightFileTree(target)
      const root = yield* tempDir()
      yield* Effect.promise(() => symlink(join(target, "sub1"), join(root, "sub1")))
      expect(String(yield* LocalZarr.checksum(root))).toBe(
        // A tree holding only sub1 is that directory one level down: computed from the spec's sub1 digest.
        String(
          yield* ZarrChecksum.ofManifest({
            files: [],
            directories: [{ name: "sub1", checksum: parseChecksum(eightFileSub1Checksum) }]
          }).pipe(Effect.provide(Hasher.layerPortable))
        )
      )
    }))

  it.scoped("thousands of files hashed in batches give the per-file MD5 tree", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const leaves: Array<ZarrChecksum.Leaf> = []
      yield* Effect.promise(async () => {
        for (let a = 0; a < 5; a++) {
          await mkdir(join(root, `arr_${a}`, "c", "0"), { recursive: true })
          await writeFile(join(root, `arr_${a}`, "zarr.json"), `{"a":${a}}`)
          leaves.push({ path: `arr_${a}/zarr.json`, size: `{"a":${a}}`.length, digest: createHash("md5").update(`{"a":${a}}`).digest("hex") })
          for (let c = 0; c < 400; c++) {
            const content = `chunk ${a}.${c}`.repeat(c % 7)
            await writeFile(join(root, `arr_${a}`, "c", "0", String(c)), content)
            leaves.push({ path: `arr_${a}/c/0/${c}`, size: content.length, digest: createHash("md5").update(content).digest("hex") })
          }
        }
      })
      const expected = yield* ZarrChecksum.ofLeaves(leaves).pipe(Effect.provide(Hasher.layerPortable))
      const actual = yield* LocalZarr.checksum(root)
      expect(String(actual)).toBe(String(expected))
      expect(actual.count).toBe(2005)
    }))

  it.scoped("a missing directory fails with a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const root = join(yield* tempDir(), "nope.zarr")
      const error = yield* LocalZarr.checksum(root).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(`Cannot read ${root}: no such file or directory.`)
    }))
})

describe("LocalZarr.excludedNames", () => {
  it("are exactly dandi-cli's (spec §6.1)", () => {
    expect([...LocalZarr.excludedNames].sort()).toEqual([".dandi", ".datalad", ".git", ".gitattributes", ".gitmodules"])
  })
})
