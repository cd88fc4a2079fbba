import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, FastCheck, Stream } from "effect"
import { createHash } from "node:crypto"
import { mkdir, rm, truncate, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fromBytes } from "@dandi-effect/core/ByteSource"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import * as HashWorkerPool from "@dandi-effect/node/HashWorkerPool"
import * as NodeByteSource from "@dandi-effect/node/NodeByteSource"
import * as NodeHasher from "@dandi-effect/node/NodeHasher"
import * as ParallelEtag from "@dandi-effect/node/ParallelEtag"
import { etagVectors, zeros130MiB } from "../../core/test/DigestVectors.js"
import { tempDir } from "./DigestFixtures.js"

const MiB = 2 ** 20

const writeTemp = (dir: string, name: string, data: Uint8Array) =>
  Effect.promise(() => writeFile(join(dir, name), data)).pipe(Effect.as(join(dir, name)))

layer(HashWorkerPool.layer({ workers: 2 }), { excludeTestServices: true })("ParallelEtag on worker threads", (it) => {
  for (const vector of etagVectors) {
    it.scoped(`spec vector: ${vector.label}`, () =>
      Effect.gen(function*() {
        const path = yield* writeTemp(yield* tempDir(), "v.bin", vector.bytes)
        expect(yield* ParallelEtag.ofFile(path)).toBe(vector.etag)
      }))
  }

  it.scoped("spec vector: 130 MiB of zeros (3 parts hashed in parallel)", () =>
    Effect.gen(function*() {
      const path = yield* writeTemp(yield* tempDir(), "zeros.bin", new Uint8Array(zeros130MiB.size))
      expect(yield* ParallelEtag.ofFile(path)).toBe(zeros130MiB.etag)
    }))

  it.scoped("parallel equals sequential on a 3-part file with varied content", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array(129 * MiB + 12345)
      for (let i = 0; i < bytes.length; i += 511) bytes[i] = (i * 7) & 0xff
      const path = yield* writeTemp(yield* tempDir(), "varied.bin", bytes)
      const sequential = yield* DandiEtag.stream(bytes.length)(Stream.make(bytes)).pipe(
        Effect.provide(NodeHasher.layer)
      )
      expect(yield* ParallelEtag.ofFile(path)).toBe(sequential)
    }))

  it.scoped.prop(
    "parallel equals sequential for any content",
    { bytes: FastCheck.uint8Array({ minLength: 0, maxLength: 100_000 }) },
    ({ bytes }) =>
      Effect.gen(function*() {
        const path = yield* writeTemp(yield* tempDir(), "p.bin", bytes)
        const sequential = yield* DandiEtag.stream(bytes.length)(Stream.make(bytes)).pipe(
          Effect.provide(NodeHasher.layer)
        )
        expect(yield* ParallelEtag.ofFile(path)).toBe(sequential)
      }),
    { fastCheck: { numRuns: 20 } }
  )

  it.scoped("a file source goes to the workers, a memory source is streamed; both agree", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array(3000).fill(7)
      const path = yield* writeTemp(yield* tempDir(), "s.bin", bytes)
      const fromFile = yield* ParallelEtag.ofSource(yield* NodeByteSource.fromPath(path))
      const fromMemory = yield* ParallelEtag.ofSource(fromBytes("mem", bytes, 100))
      expect(fromFile).toBe(fromMemory)
    }).pipe(Effect.provide(NodeHasher.layer)))

  it.scoped("a missing file fails with a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const path = join(yield* tempDir(), "missing.bin")
      const error = yield* ParallelEtag.ofFile(path).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(`Cannot read ${path}: no such file or directory.`)
    }))

  // The failures below happen between the size check and the reads, for every user (root
  // included): the real pool runs, after the file is changed the moment the first part is handed out.
  const changingFirst = (pool: HashWorkerPool.HashWorkerPoolShape, change: Effect.Effect<void>) => {
    let changed = false
    return {
      ...pool,
      hash: (items: ReadonlyArray<HashWorkerPool.RangeItem>) =>
        Effect.suspend(() => (changed ? Effect.void : change.pipe(Effect.tap(() => (changed = true))))).pipe(
          Effect.zipRight(pool.hash(items))
        )
    }
  }

  it.scoped("a file removed after it was measured fails with a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const path = yield* writeTemp(yield* tempDir(), "removed.bin", new Uint8Array(10))
      const pool = changingFirst(yield* HashWorkerPool.HashWorkerPool, Effect.promise(() => rm(path)))
      const error = yield* ParallelEtag.ofFileWith(pool, path).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(`Cannot read ${path}: no such file or directory.`)
    }))

  it.scoped("a path that became a directory fails the read with a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const path = yield* writeTemp(yield* tempDir(), "swapped.bin", new Uint8Array(10))
      const pool = changingFirst(
        yield* HashWorkerPool.HashWorkerPool,
        Effect.promise(() => rm(path).then(() => mkdir(path)))
      )
      const error = yield* ParallelEtag.ofFileWith(pool, path).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(`Cannot read ${path}: is a directory.`)
    }))

  it.scoped("a file truncated while its parts are read fails with a LocalDataError saying it changed", () =>
    Effect.gen(function*() {
      const path = yield* writeTemp(yield* tempDir(), "shrinking.bin", new Uint8Array(10))
      const pool = changingFirst(yield* HashWorkerPool.HashWorkerPool, Effect.promise(() => truncate(path, 4)))
      const error = yield* ParallelEtag.ofFileWith(pool, path).pipe(Effect.flip)
      expect(error._tag).toBe("LocalDataError")
      expect(error.message).toBe(
        `${path} changed while its dandi-etag was computed; wait until it is no longer written to and retry.`
      )
    }))

  it.scoped("a directory fails with a LocalDataError naming it, before any read", () =>
    Effect.gen(function*() {
      const path = yield* tempDir()
      const error = yield* ParallelEtag.ofFile(path).pipe(Effect.flip)
      expect(error.message).toBe(`Cannot read ${path}: not a regular file.`)
    }))
})

describe("HashWorkerPool", () => {
  it.scoped("hashes a batch of ranges in item order, reporting bytes read", () =>
    Effect.gen(function*() {
      const pool = yield* HashWorkerPool.make({ workers: 1 })
      const path = yield* writeTemp(yield* tempDir(), "r.txt", new TextEncoder().encode("xx123yy"))
      const results = yield* pool.hash([
        { path, offset: 2, length: 3, algorithm: "md5" },
        { path, offset: 0, length: -1, algorithm: "sha1" },
        { path, offset: 5, length: 10, algorithm: "md5" }
      ])
      // md5("123") is a spec §8.1 vector; the whole-file sha1 comes from a one-shot node:crypto hash.
      expect(results[0]).toEqual({ digest: "202cb962ac59075b964b07152d234b70", bytes: 3 })
      expect(results[1]).toEqual({ digest: createHash("sha1").update("xx123yy").digest("hex"), bytes: 7 })
      expect(results[2]!.bytes).toBe(2)
    }))

  it.scoped("a missing file in a batch fails the batch with an error naming that file", () =>
    Effect.gen(function*() {
      const pool = yield* HashWorkerPool.make({ workers: 1 })
      const dir = yield* tempDir()
      const present = yield* writeTemp(dir, "here.txt", new Uint8Array(3))
      const error = yield* pool.hash([
        { path: present, offset: 0, length: -1, algorithm: "md5" },
        { path: join(dir, "gone.txt"), offset: 0, length: -1, algorithm: "md5" }
      ]).pipe(Effect.flip)
      expect(error.message).toBe(`Cannot read ${join(dir, "gone.txt")}: no such file or directory.`)
    }))

  it.scoped("a read that the OS refuses fails the batch with an error naming the file", () =>
    Effect.gen(function*() {
      const pool = yield* HashWorkerPool.make({ workers: 1 })
      // Opening a directory read-only succeeds for every user, reading it fails with EISDIR.
      const dir = yield* tempDir()
      const error = yield* pool.hash([{ path: dir, offset: 0, length: -1, algorithm: "md5" }]).pipe(Effect.flip)
      expect(error.message).toBe(`Cannot read ${dir}: is a directory.`)
    }))

  it("names a refused permission in words, whatever the code the OS used", () => {
    for (const code of ["EACCES", "EPERM"]) {
      const error = HashWorkerPool.fileError("/data/secret.bin", code, `${code}: operation refused`)
      expect(error.message).toBe("Cannot read /data/secret.bin: permission denied.")
      expect(error.path).toBe("/data/secret.bin")
    }
  })

  it.scoped("scanning a file instead of a directory fails with a LocalDataError naming it", () =>
    Effect.gen(function*() {
      const pool = yield* HashWorkerPool.make({ workers: 1 })
      const file = yield* writeTemp(yield* tempDir(), "plain.txt", new Uint8Array(3))
      const error = yield* pool.scan(file, { excluded: [], hashLimit: 10, algorithm: "md5" }).pipe(Effect.flip)
      expect(error.message).toBe(`Cannot read ${file}: not a directory.`)
    }))
})
