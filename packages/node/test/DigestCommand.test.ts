/**
 * The `digest` command through the real binary (packages/node/bin → dist), as users run it.
 * `npm test` and `npm ci` build dist first (`tsc -b`); the build runs here only when dist is
 * missing, because rebuilding while another test file spawns the binary could expose it to
 * half-written files. After editing sources outside `npm test`, run `npx tsc -b` first.
 */
import { afterAll, beforeAll, describe, expect, it, layer } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Layer } from "effect"
import * as DigestCache from "@dandi-effect/node/DigestCache"
import * as HashWorkerPool from "@dandi-effect/node/HashWorkerPool"
import * as NodeDigests from "@dandi-effect/node/NodeDigests"
import { eightFileTreeChecksum } from "../../core/test/DigestVectors.js"
import { writeEightFileTree } from "./DigestFixtures.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "packages/node/bin/dandi-effect.js")
let work = ""

beforeAll(async () => {
  if (!existsSync(join(repo, "packages/node/dist/bin.js"))) {
    spawnSync("npx", ["tsc", "-b"], { cwd: repo, stdio: "ignore" })
  }
  if (!existsSync(join(repo, "packages/node/dist/bin.js"))) throw new Error("npx tsc -b did not produce packages/node/dist")
  work = mkdtempSync(join(tmpdir(), "dandi-effect-digest-cli-"))
  writeFileSync(join(work, "123.txt"), "123")
  writeFileSync(join(work, "zero.bin"), new Uint8Array(1))
  await Effect.runPromise(writeEightFileTree(join(work, "tree.zarr"), { withNoise: true }))
}, 180_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

const digest = (...args: Array<string>) => {
  const result = spawnSync(process.execPath, [bin, "digest", ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, DANDI_CACHE_DIR: join(work, ".cache") }
  })
  return { stdout: result.stdout, stderr: result.stderr, status: result.status }
}

// Each spawn costs a Node start-up, so the binary gets a few dense invocations and the
// per-algorithm details are checked in-process below.
describe("dandi-effect digest (binary)", () => {
  it("defaults to dandi-etag for files and zarr-checksum for directories; a missing path is reported, the rest printed", () => {
    const result = digest("tree.zarr", "123.txt", "missing.bin", "./zero.bin")
    expect(result.stdout).toBe(
      `tree.zarr: ${eightFileTreeChecksum}\n123.txt: d022646351048ac0ba397d12dfafa304-1\n` +
        "./zero.bin: 7e4696ef25d5faececd853ce5e2a233b-1\n"
    )
    expect(result.stderr).toBe("dandi-effect: Cannot read missing.bin: no such file or directory.\n")
    expect(result.status).toBe(1)
  })

  it("-d selects a plain digest; exit 0 when every path succeeds", () => {
    const result = digest("-d", "sha256", "123.txt", "zero.bin")
    expect(result.stdout).toBe(
      "123.txt: a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\n" +
        "zero.bin: 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\n"
    )
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
  })

  it("--digest zarr-checksum of a file is refused in one line naming md5, never printed as a checksum", () => {
    const result = digest("--digest", "zarr-checksum", "123.txt", "tree.zarr")
    expect(result.stdout).toBe(`tree.zarr: ${eightFileTreeChecksum}\n`)
    expect(result.stderr).toBe(
      "dandi-effect: Cannot compute zarr-checksum of 123.txt: it is a file, and a zarr checksum belongs to a directory " +
        "(a Zarr store); use md5 for the file's own digest (what a Zarr checksum records for each file), or dandi-etag " +
        "(the default for files).\n"
    )
    expect(result.status).toBe(1)
  })

  it("a file name with control characters is printed as one visible line", () => {
    const name = "evil\nname\u001b]0;pwned\u0007.txt"
    writeFileSync(join(work, name), "123")
    const result = digest("-d", "md5", name)
    expect(result.stdout).toBe("evil\\nname\\e]0;pwned\\x07.txt: 202cb962ac59075b964b07152d234b70\n")
    expect(result.status).toBe(0)
    const missing = digest("-d", "md5", "gone\r\u001b[2Jx")
    expect(missing.stderr).toBe("dandi-effect: Cannot read gone\\r\\e[2Jx: no such file or directory.\n")
  })

  it("a plain digest of a directory is refused in one line with a hint", () => {
    const result = digest("-d", "md5", "tree.zarr")
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe(
      "dandi-effect: Cannot compute md5 of tree.zarr: it is a directory; use zarr-checksum (the default for directories).\n"
    )
    expect(result.status).toBe(1)
  })
})

describe("dandi-effect digest processes sharing one cache", () => {
  it("concurrent processes all print the right digest and leave exactly one complete entry", async () => {
    const cacheDir = join(work, "shared-cache")
    const runs = Array.from({ length: 4 }, () =>
      new Promise<{ stdout: string; code: number | null }>((resolve) => {
        const child = spawn(process.execPath, [bin, "digest", "-d", "md5", "123.txt", "zero.bin"], {
          cwd: work,
          env: { ...process.env, DANDI_CACHE_DIR: cacheDir }
        })
        let stdout = ""
        child.stdout.on("data", (data) => (stdout += data))
        child.on("close", (code) => resolve({ stdout, code }))
      }))
    for (const run of await Promise.all(runs)) {
      expect(run.stdout).toBe("123.txt: 202cb962ac59075b964b07152d234b70\nzero.bin: 93b885adfe0da089cdf634904fd59f71\n")
      expect(run.code).toBe(0)
    }
    const files = readdirSync(cacheDir, { recursive: true }).map(String)
    expect(files.filter((name) => name.endsWith(".tmp"))).toEqual([])
    const entries = files.filter((name) => /\/[0-9a-f]{2}\/\d+$/.test(name))
    expect(entries).toHaveLength(2)
    const digests = entries.map((name) => JSON.parse(readFileSync(join(cacheDir, name), "utf8")).digest).sort()
    expect(digests).toEqual(["202cb962ac59075b964b07152d234b70", "93b885adfe0da089cdf634904fd59f71"])
    // Four Node processes start at once: on a loaded two-core machine each start alone can take
    // ten seconds, so the default 30 s is a statement about the machine, not the cache.
  }, 120_000)
})

layer(Layer.merge(HashWorkerPool.layer({ workers: 1 }), DigestCache.layerDisabled), { excludeTestServices: true })(
  "NodeDigests.ofPath",
  (it) => {
    const at = (name: string) => join(work, name)
    it.effect("md5, sha1, sha256 of \"123\" (spec §8.1)", () =>
      Effect.gen(function*() {
        expect(yield* NodeDigests.ofPath(at("123.txt"), "md5")).toBe("202cb962ac59075b964b07152d234b70")
        expect(yield* NodeDigests.ofPath(at("123.txt"), "sha1")).toBe("40bd001563085fc35165329ea1ff5c5ecbdbbeef")
        expect(yield* NodeDigests.ofPath(at("123.txt"), "sha256")).toBe(
          "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"
        )
        expect(yield* NodeDigests.ofPath(at("zero.bin"), "md5")).toBe("93b885adfe0da089cdf634904fd59f71")
      }))

    it.effect("sha512 agrees with a one-shot node:crypto hash (the spec has no sha512 vector)", () =>
      Effect.gen(function*() {
        expect(yield* NodeDigests.ofPath(at("123.txt"), "sha512")).toBe(createHash("sha512").update("123").digest("hex"))
      }))

    it.effect("dandi-etag and zarr-checksum defaults", () =>
      Effect.gen(function*() {
        expect(yield* NodeDigests.ofPath(at("123.txt"))).toBe("d022646351048ac0ba397d12dfafa304-1")
        expect(yield* NodeDigests.ofPath(at("tree.zarr"))).toBe(eightFileTreeChecksum)
        expect(yield* NodeDigests.ofPath(at("tree.zarr"), "zarr-checksum")).toBe(eightFileTreeChecksum)
        const file = yield* NodeDigests.ofPath(at("123.txt"), "zarr-checksum").pipe(Effect.flip)
        expect(file._tag).toBe("LocalDataError")
        expect(file.message).toContain("it is a file, and a zarr checksum belongs to a directory")
      }))

    it.effect("files either side of the main-thread limit (hashed in-thread / on a worker) get the same digests as node:crypto", () =>
      Effect.gen(function*() {
        const content = Buffer.alloc(NodeDigests.MAIN_THREAD_LIMIT + 1, 0x5a)
        content.writeUInt32LE(0xdeadbeef, 1000)
        for (const size of [NodeDigests.MAIN_THREAD_LIMIT, NodeDigests.MAIN_THREAD_LIMIT + 1]) {
          const bytes = content.subarray(0, size)
          writeFileSync(at(`limit-${size}.bin`), bytes)
          const md5 = createHash("md5").update(bytes).digest()
          expect(yield* NodeDigests.ofPath(at(`limit-${size}.bin`))).toBe(`${createHash("md5").update(md5).digest("hex")}-1`)
          expect(yield* NodeDigests.ofPath(at(`limit-${size}.bin`), "sha1")).toBe(createHash("sha1").update(bytes).digest("hex"))
        }
      }))

    it.effect("a directory with a plain algorithm, or a missing path, is a LocalDataError", () =>
      Effect.gen(function*() {
        const directory = yield* NodeDigests.ofPath(at("tree.zarr"), "sha1").pipe(Effect.flip)
        expect(directory.message).toContain("it is a directory; use zarr-checksum")
        const missing = yield* NodeDigests.ofPath(at("missing.bin")).pipe(Effect.flip)
        expect(missing._tag).toBe("LocalDataError")
        expect(missing.message).toBe(`Cannot read ${at("missing.bin")}: no such file or directory.`)
      }))
  }
)
