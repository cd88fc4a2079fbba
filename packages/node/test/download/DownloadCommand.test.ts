/**
 * `dandi-effect download` on the built binary (run `npx tsc -b` first) against the loopback
 * emulator: the command's contract, and a download killed mid-file (SIGKILL, no clean-up at all)
 * that the next run resumes, asking storage only for the bytes it lacks.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeDownload from "@dandi-effect/node/NodeDownload"
import * as NodeFileSink from "@dandi-effect/node/NodeFileSink"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { spawn } from "node:child_process"
import { existsSync, watch } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { bin, runCli } from "../support/Cli.js"
import { archive, storageRequests, tempDir } from "./LoopbackDownload.js"

const cli = (args: ReadonlyArray<string>) => runCli(["download", ...args])

const text = (value: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(value) }) as const

const small = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "small", owners: ["owner"] })
    yield* admin.addBlobAsset("000001", "sub-1/a.nwb", text("first file"))
    yield* admin.addBlobAsset("000001", "sub-2/b.nwb", text("second file"))
    yield* admin.runBackgroundJobs
  })

describe("dandi-effect download", () => {
  it.scopedLive("downloads a dandiset in dandi-cli's layout, quietly when piped, with a summary line", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const result = yield* cli(["-i", apiUrl, "-o", dir, "000001"])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^Downloaded 3 files, .*; skipped 0; failed 0 into /)
      expect(yield* Effect.promise(() => readFile(join(dir, "000001", "sub-2", "b.nwb"), "utf8"))).toBe("second file")
      expect(existsSync(join(dir, "000001", "dandiset.yaml"))).toBe(true)
      // Again: the files exist and the default policy is dandi-cli's `error`.
      const again = yield* cli(["-i", apiUrl, "-o", dir, "000001"])
      expect(again.code).toBe(1)
      expect(again.stderr.trim().split("\n").at(-1)).toMatch(/^dandi-effect: 2 of 3 files could not be downloaded .*already exists/)
      expect(again.stderr).toContain("already exists")
      const skipped = yield* cli(["-i", apiUrl, "-o", dir, "--existing", "skip", "000001"])
      expect(skipped.code).toBe(0)
      expect(skipped.stdout).toMatch(/^Downloaded 0 files, 0 bytes; skipped 3; failed 0/)
    }).pipe(Effect.provide(archive(small))), 90_000)

  it.scopedLive("a single asset goes to DIR/<file name>", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const api = yield* DandiApi.DandiApi
      const asset = yield* Effect.flatMap(api.getDandiset("000001", "draft"), (d) => d.getAssetByPath("sub-1/a.nwb"))
      const result = yield* cli(["-o", dir, `${apiUrl}/dandisets/000001/versions/draft/assets/${asset.identifier}/`])
      expect(result.code).toBe(0)
      expect(yield* Effect.promise(() => readFile(join(dir, "a.nwb"), "utf8"))).toBe("first file")
    }).pipe(Effect.provide(archive(small))))

  it.scopedLive("refused asset paths are reported, the rest downloads, and the exit code is 1", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const out = join(dir, "out")
      const result = yield* cli(["-i", apiUrl, "-o", out, "000001"])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("../escaped.nwb")
      expect(result.stderr).toContain("Refusing to write")
      expect(result.stderr.trim().split("\n").at(-1)).toMatch(/^dandi-effect: 1 of 4 files could not be downloaded/)
      expect(yield* Effect.promise(() => readFile(join(out, "000001", "sub-1", "a.nwb"), "utf8"))).toBe("first file")
      expect(existsSync(join(out, "escaped.nwb"))).toBe(false)
      expect(existsSync(join(dir, "escaped.nwb"))).toBe(false)
    }).pipe(Effect.provide(archive((admin) =>
      Effect.zipRight(small(admin), Effect.zipRight(admin.addBlobAsset("000001", "../escaped.nwb", text("evil")), admin.runBackgroundJobs))
    ))))

  it.scopedLive("a target that cannot be understood fails before anything is downloaded", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const result = yield* cli(["-i", apiUrl, "-o", dir, "not a dandiset"])
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).toMatch(/^dandi-effect: /)
    }).pipe(Effect.provide(archive(small))))
})

const bigSize = 6 * 1024 * 1024
const bigSeed = 5
const bigPath = "sub-1/big.bin"

const big = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "big", owners: ["owner"] })
    yield* admin.addBlobAsset("000001", bigPath, { _tag: "Generated", size: bigSize, seed: bigSeed })
    yield* admin.runBackgroundJobs
  })

/** Runs the CLI and SIGKILLs it once its partial file holds at least `threshold` bytes. */
const killMidway = (args: ReadonlyArray<string>, partial: string, watched: string, threshold: number) =>
  Effect.promise(() =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, "download", ...args], { stdio: "ignore" })
      const watcher = watch(watched, { recursive: true }, () => {
        stat(partial).then((info) => {
          if (info.size >= threshold) child.kill("SIGKILL")
        }, () => undefined)
      })
      child.once("exit", (_code, signal) => {
        watcher.close()
        if (signal !== "SIGKILL") reject(new Error(`the download was not killed midway (ended with ${signal ?? _code})`))
        else resolve(child.pid ?? null)
      })
    })
  )

describe("a download killed mid-file", () => {
  it.scopedLive("is resumed by the next run, which asks only for the bytes it lacks", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const target = join(dir, "000001", bigPath)
      const partial = join(NodeFileSink.workingArea(target), "file")
      yield* killMidway(["-i", apiUrl, "-o", dir, "000001"], partial, dir, 1024 * 1024)
      const held = (yield* Effect.promise(() => stat(partial))).size
      expect(held).toBeGreaterThanOrEqual(1024 * 1024)
      expect(held).toBeLessThan(bigSize)
      expect(existsSync(target)).toBe(false)
      // The killed process left its lock behind; the next run takes it over.
      expect(existsSync(join(NodeFileSink.workingArea(target), "lock"))).toBe(true)

      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001")
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(NodeDownload.dandiset(dandiset, dir)))
      expect(events.find((e) => e._tag === "Started" && e.name === bigPath)).toMatchObject({ resumedFrom: held })
      expect(events.find((e) => e._tag === "Completed" && e.name === bigPath)).toMatchObject({
        resumedFrom: held,
        verified: ["dandi-etag", "sha256"]
      })
      expect((yield* storageRequests).map((r) => r.range)).toEqual([`bytes=${held}-${bigSize - 1}`])
      const bytes = yield* Effect.promise(() => readFile(target))
      expect(Buffer.compare(bytes, Buffer.from(deterministicBytes(bigSeed, 0, bigSize)))).toBe(0)
      expect(existsSync(NodeFileSink.workingArea(target))).toBe(false)
    }).pipe(Effect.provide(archive(big, {
      // Slow enough that the first run is still mid-file when it is killed.
      rules: [{ target: "s3", method: "GET", pathPrefix: "/dandiarchive/blobs/", action: "throttle", bytesPerSecond: 2 * 1024 * 1024, times: 1 }]
    }))), 60_000)
})
