/**
 * How "the second digest did not read the file" is observed: after the first digest, the file's
 * bytes are replaced by different bytes of the same size and its mtime is set back to the exact
 * value it had (whole seconds, so the nanosecond mtime round-trips). The inode, size and mtime
 * are then unchanged, so a cache hit returns the OLD digest, while any read would give the new one.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import { readdir, readFile, rename, utimes, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as DigestCache from "@dandi-effect/node/DigestCache"
import * as HashWorkerPool from "@dandi-effect/node/HashWorkerPool"
import * as NodeDigests from "@dandi-effect/node/NodeDigests"
import { tempDir } from "./DigestFixtures.js"

const md5Of123 = "202cb962ac59075b964b07152d234b70" // spec §8.1
const md5OfZeroByte = "93b885adfe0da089cdf634904fd59f71" // spec §8.1
const etagOf123 = "d022646351048ac0ba397d12dfafa304-1" // spec §8.1
const fixedTime = 1_700_000_000

const writeAt = (path: string, content: string | Uint8Array, seconds = fixedTime) =>
  Effect.promise(async () => {
    await writeFile(path, content)
    await utimes(path, seconds, seconds)
  })

const digest = (path: string, algorithm?: "md5" | "dandi-etag") =>
  NodeDigests.ofPath(path, algorithm)

const withCacheAt = (root: string) =>
  Effect.provide(Layer.merge(HashWorkerPool.layer({ workers: 1 }), DigestCache.layerAt(root)))

describe("DigestCache", () => {
  it.scoped("a second digest of an unchanged file does not read it", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5Of123)
      expect(yield* withCacheAt(root)(digest(file))).toBe(etagOf123)
      yield* writeAt(file, "abc")
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5Of123)
      expect(yield* withCacheAt(root)(digest(file))).toBe(etagOf123)
    }))

  it.scoped("a renamed file still hits", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const dir = yield* tempDir()
      yield* writeAt(join(dir, "before.bin"), "123")
      expect(yield* withCacheAt(root)(digest(join(dir, "before.bin"), "md5"))).toBe(md5Of123)
      yield* Effect.promise(() => rename(join(dir, "before.bin"), join(dir, "after.bin")))
      yield* writeAt(join(dir, "after.bin"), "xyz")
      expect(yield* withCacheAt(root)(digest(join(dir, "after.bin"), "md5"))).toBe(md5Of123)
    }))

  it.scoped("a modified file misses: new size, or same size with a new mtime", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5Of123)
      yield* writeAt(file, new Uint8Array(1))
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5OfZeroByte)
      yield* writeAt(file, "123")
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5Of123)
      yield* writeAt(file, "abc", fixedTime + 1)
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(createHash("md5").update("abc").digest("hex"))
    }))

  it.scoped("entries are per algorithm", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      expect(yield* withCacheAt(root)(digest(file, "md5"))).toBe(md5Of123)
      expect(yield* withCacheAt(root)(digest(file))).toBe(etagOf123)
    }))

  // The layer is built inside withConfigProvider, so it reads this map instead of process.env.
  const fromEnv = (env: Record<string, string>) =>
  <A, E>(effect: Effect.Effect<A, E, HashWorkerPool.HashWorkerPool | DigestCache.DigestCache>) =>
    effect.pipe(
      Effect.provide(Layer.merge(HashWorkerPool.layer({ workers: 1 }), DigestCache.layer)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )

  it.scoped("DANDI_CACHE=ignore neither reads nor writes", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      expect(yield* fromEnv({ DANDI_CACHE_DIR: root, DANDI_CACHE: "ignore" })(digest(file, "md5"))).toBe(md5Of123)
      expect(yield* Effect.promise(() => readdir(root))).toEqual([])
      yield* fromEnv({ DANDI_CACHE_DIR: root })(digest(file, "md5"))
      yield* writeAt(file, "abc")
      expect(yield* fromEnv({ DANDI_CACHE_DIR: root, DANDI_CACHE: "ignore" })(digest(file, "md5"))).toBe(
        createHash("md5").update("abc").digest("hex")
      )
    }))

  it.scoped("DANDI_CACHE=clear wipes earlier entries", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      yield* fromEnv({ DANDI_CACHE_DIR: root })(digest(file, "md5"))
      yield* writeAt(file, "abc")
      expect(yield* fromEnv({ DANDI_CACHE_DIR: root })(digest(file, "md5"))).toBe(md5Of123)
      expect(yield* fromEnv({ DANDI_CACHE_DIR: root, DANDI_CACHE: "clear" })(digest(file, "md5"))).toBe(
        createHash("md5").update("abc").digest("hex")
      )
    }))

  it.effect("the directory comes from DANDI_CACHE_DIR, else XDG_CACHE_HOME/dandi-effect", () =>
    Effect.gen(function*() {
      const at = (env: Record<string, string>) =>
        DigestCache.directoryConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
      expect(yield* at({ DANDI_CACHE_DIR: "/c/d", XDG_CACHE_HOME: "/x" })).toBe("/c/d")
      expect(yield* at({ XDG_CACHE_HOME: "/x" })).toBe("/x/dandi-effect")
      expect(yield* at({})).toMatch(/\.cache\/dandi-effect$/)
      expect(yield* at({ DANDI_CACHE_DIR: "", XDG_CACHE_HOME: "/x" })).toBe("/x/dandi-effect")
    }))

  it.scoped("concurrent writers never leave a partial or foreign entry", () =>
    Effect.gen(function*() {
      const root = yield* tempDir()
      const file = join(yield* tempDir(), "data.bin")
      yield* writeAt(file, "123")
      // Independent cache instances stand for independent processes sharing one directory.
      const writers = Array.from({ length: 40 }, () => DigestCache.make(root))
      const values = writers.map((_, i) => `digest-${i}`.padEnd(32, "x"))
      const seen = yield* Effect.forEach(
        writers,
        (cache, i) => cache.cached(file, "md5", Effect.succeed(values[i]!)),
        { concurrency: "unbounded" }
      )
      for (const value of seen) expect(values).toContain(value)
      const final = yield* DigestCache.make(root).cached(file, "md5", Effect.succeed("recomputed"))
      expect(values).toContain(final)
      const files = yield* Effect.promise(() => readdir(root, { recursive: true }))
      expect(files.filter((name) => String(name).endsWith(".tmp"))).toEqual([])
      const entries = files.map(String).filter((name) => /\/[0-9a-f]{2}\/\d+$/.test(name))
      expect(entries).toHaveLength(1)
      const entry = JSON.parse(yield* Effect.promise(() => readFile(join(root, entries[0]!), "utf8")))
      expect(values).toContain(entry.digest)
    }))

  it("the disabled cache has no directory", () => {
    expect(Option.isNone(DigestCache.disabled.directory)).toBe(true)
  })
})
