import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as NodeByteSource from "@dandi-effect/node/NodeByteSource"
import * as NodeHasher from "@dandi-effect/node/NodeHasher"
import { hasherConformance } from "../../core/test/DigestVectors.js"
import { tempDir } from "./DigestFixtures.js"

hasherConformance("NodeHasher.layer", NodeHasher.layer)

describe("NodeByteSource", () => {
  it.scoped("slices a file by offset and length", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir()
      const path = join(dir, "data.txt")
      yield* Effect.promise(() => writeFile(path, "0123456789"))
      const source = yield* NodeByteSource.fromPath(path)
      expect(source.size).toBe(10)
      const chunks = yield* Stream.runCollect(source.slice(3, 4))
      expect(Buffer.concat(Chunk.toArray(chunks)).toString()).toBe("3456")
      expect(Chunk.size(yield* Stream.runCollect(source.slice(5, 0)))).toBe(0)
    }))

  it.scoped("a missing file is a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir()
      const error = yield* NodeByteSource.fromPath(join(dir, "nope.bin")).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(`Cannot read ${join(dir, "nope.bin")}: no such file or directory.`)
    }))

  it.scoped("a directory is refused", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir()
      const error = yield* NodeByteSource.fromPath(dir).pipe(Effect.flip)
      expect(error.message).toContain("not a regular file")
    }))
})
