/**
 * Downloads to disk over real sockets against the loopback emulator, with faults injected on the
 * storage side: what ends up on disk, what is left in the working area, which ranges were asked.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as NodeDownload from "@dandi-effect/node/NodeDownload"
import * as NodeFileSink from "@dandi-effect/node/NodeFileSink"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as YAML from "yaml"
import { archive, faultLines, storageRequests, tempDir } from "./LoopbackDownload.js"

const size = 2 * 1024 * 1024 + 123
const seed = 11
const expected = deterministicBytes(seed, 0, size)
const assetPath = "sub-1/sub-1_ecephys.nwb"

const seedOne = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "downloads", owners: ["owner"] })
    yield* admin.addBlobAsset("000001", assetPath, { _tag: "Generated", size, seed })
    yield* admin.runBackgroundJobs
  })

const s3Get = (rule: Omit<Faults.FaultRule, "target" | "method" | "pathPrefix">): Faults.FaultRule =>
  ({ target: "s3", method: "GET", pathPrefix: "/dandiarchive/blobs/", ...rule }) as Faults.FaultRule

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0

const theAsset = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const dandiset = yield* api.getDandiset("000001", "draft")
  return yield* dandiset.getAssetByPath(assetPath)
})

const toFile = (target: string) =>
  Effect.flatMap(theAsset, (asset) =>
    Stream.runCollect(NodeDownload.assetToFile(asset, target)).pipe(Effect.map(Chunk.toReadonlyArray)))

describe("file downloads over loopback", () => {
  it.scopedLive("a connection reset mid-body resumes from the last byte received, asking only for the rest", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const events = yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      // A reset (RST) may destroy bytes still in flight, so the resume point is what arrived.
      const offsets = events.flatMap((e) => e._tag === "Retrying" ? [e.offset] : [])
      expect(offsets).toHaveLength(1)
      expect(offsets[0]).toBeGreaterThan(0)
      expect(offsets[0]).toBeLessThanOrEqual(700_000)
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined, `bytes=${offsets[0]}-${size - 1}`])
      expect(events.at(-1)).toMatchObject({ _tag: "Completed", verified: ["dandi-etag", "sha256"] })
      expect(existsSync(NodeFileSink.workingArea(target))).toBe(false)
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "reset", afterBytes: 700_000, times: 1 })] }))))

  it.scopedLive("a body that stalls mid-transfer (no bytes for requestTimeout) is abandoned and resumed from the last byte received", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      // The store sends 700,000 bytes and then nothing, keeping the connection open; only the
      // client's own 1 s requestTimeout can end the wait.
      const events = yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      const retries = events.flatMap((e) => e._tag === "Retrying" ? [e] : [])
      expect(retries[0]).toMatchObject({ offset: 700_000, reason: "the body stalled" })
      expect((yield* storageRequests).slice(0, 2).map((r) => r.range)).toEqual([undefined, `bytes=700000-${size - 1}`])
      expect((yield* faultLines).filter((line) => line.startsWith("fault: stall"))).toHaveLength(1)
      expect(events.at(-1)).toMatchObject({ _tag: "Completed", verified: ["dandi-etag", "sha256"] })
      expect(existsSync(NodeFileSink.workingArea(target))).toBe(false)
    }).pipe(Effect.provide(archive(
      seedOne,
      { rules: [s3Get({ action: "stall", afterBytes: 700_000, times: 1 })] },
      { requestTimeout: "1 second" }
    ))))

  it.scopedLive("a whole file over a real socket: every byte once, in order, with progress per ~1 MiB batch rather than per network chunk", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const events = yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      expect(events.filter((e) => e._tag === "Restarted")).toEqual([])
      const progress = events.filter((e) => e._tag === "Progress")
      expect(progress.at(-1)).toMatchObject({ done: size })
      // 2 MiB arrive in dozens of socket reads; batching leaves a handful of steps.
      expect(progress.length).toBeLessThanOrEqual(4)
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined])
    }).pipe(Effect.provide(archive(seedOne))))

  it.scopedLive("a truncated body (Content-Length promised more) resumes from the last byte", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined, `bytes=1000000-${size - 1}`])
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "truncate", afterBytes: 1_000_000, times: 1 })] }))))

  it.scopedLive("a corrupted body is detected, discarded and downloaded again", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const events = yield* toFile(target)
      expect(events.filter((e) => e._tag === "Restarted")).toHaveLength(1)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "corrupt", bytes: 2, times: 1 })] }))))

  it.scopedLive("bytes that never verify end in DigestMismatch, with no file and no bad bytes left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const error = yield* Effect.flip(toFile(target))
      expect(error._tag).toBe("DigestMismatch")
      expect(error.message).toContain("discarded")
      expect(existsSync(target)).toBe(false)
      const partial = join(NodeFileSink.workingArea(target), "file")
      expect(existsSync(partial) ? (yield* Effect.promise(() => stat(partial))).size : 0).toBe(0)
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "corrupt" })] }))))

  it.scopedLive.each([503, 429])("%i with Retry-After is waited out (not the 1 ms backoff), then the download completes", (status) =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      const sent = yield* storageRequests
      expect(sent.map((r) => r.range)).toEqual([undefined, undefined])
      expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(1000)
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "status", status, retryAfter: 1, times: 1 })] }))))

  it.scopedLive("a presigned URL that expires mid-file is renewed and the download continues from the last byte", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const events = yield* toFile(target)
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      const retries = events.flatMap((e) => e._tag === "Retrying" ? [e] : [])
      expect(retries.map((e) => e.reason)).toEqual(["the connection broke off", "the presigned URL expired"])
      const offset = retries[0]!.offset
      expect(offset).toBeGreaterThan(0)
      expect(retries[1]!.offset).toBe(offset)
      // reset, expired (403), then the renewed URL from where the bytes stopped
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined, `bytes=${offset}-${size - 1}`, `bytes=${offset}-${size - 1}`])
      expect(events.filter((e) => e._tag === "Restarted")).toEqual([])
    }).pipe(Effect.provide(archive(seedOne, {
      rules: [
        s3Get({ action: "reset", afterBytes: 700_000, times: 1 }),
        s3Get({ action: "expire", skip: 1, times: 1 })
      ]
    }))))

  it.scopedLive("a server that ignores Range (200, whole body) cannot corrupt a resume after a reset", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const events = yield* toFile(target)
      const offsets = events.flatMap((e) => e._tag === "Retrying" ? [e.offset] : [])
      expect(offsets).toHaveLength(1)
      expect(offsets[0]).toBeGreaterThan(0)
      // The resume asked for the rest, got the whole object, and used only its tail: the first
      // pass verified, with no restart (a spliced file would fail its digests and restart).
      expect((yield* storageRequests).map((r) => r.range)).toEqual([undefined, `bytes=${offsets[0]}-${size - 1}`])
      expect(yield* faultLines).toContainEqual(expect.stringMatching(/^fault: ignoreRange bytes=\d+-/))
      expect(events.filter((e) => e._tag === "Restarted")).toEqual([])
      expect(events.at(-1)).toMatchObject({ _tag: "Completed", verified: ["dandi-etag", "sha256"] })
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
    }).pipe(Effect.provide(archive(seedOne, {
      rules: [s3Get({ action: "reset", afterBytes: 700_000, times: 1 }), s3Get({ action: "ignoreRange" })]
    }))))

  it.scopedLive("a partial from an earlier run, resumed against a server that ignores Range, keeps its bytes and verifies", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const asset = yield* theAsset
      const blob = Downloader.fromAssetData(asset, yield* asset.getRawMetadata())
      const work = NodeFileSink.workingArea(target)
      const held = 1024 * 1024 + 7
      yield* Effect.promise(async () => {
        await mkdir(work, { recursive: true })
        await writeFile(join(work, "file"), expected.subarray(0, held))
        await writeFile(join(work, "checksum"), JSON.stringify(blob.digests))
      })
      const events = yield* toFile(target)
      expect(events[0]).toMatchObject({ _tag: "Started", resumedFrom: held })
      expect((yield* storageRequests).map((r) => r.range)).toEqual([`bytes=${held}-${size - 1}`])
      expect(yield* faultLines).toEqual([expect.stringMatching(/^fault: ignoreRange bytes=1048583-/)])
      expect(events.filter((e) => e._tag === "Restarted")).toEqual([])
      expect(events.at(-1)).toMatchObject({ _tag: "Completed", resumedFrom: held })
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
    }).pipe(Effect.provide(archive(seedOne, { rules: [s3Get({ action: "ignoreRange" })] }))))

  it.scopedLive("an already complete partial (dandi-cli's layout) is verified and finished without a request", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const asset = yield* theAsset
      const blob = Downloader.fromAssetData(asset, yield* asset.getRawMetadata())
      const work = NodeFileSink.workingArea(target)
      yield* Effect.promise(async () => {
        await mkdir(work, { recursive: true })
        await writeFile(join(work, "file"), expected)
        await writeFile(join(work, "checksum"), JSON.stringify({ "dandi-etag": blob.digests["dandi-etag"] }))
      })
      const events = yield* toFile(target)
      expect(events[0]).toMatchObject({ _tag: "Started", resumedFrom: size })
      expect(yield* storageRequests).toEqual([])
      expect(sameBytes(yield* Effect.promise(() => readFile(target)), expected)).toBe(true)
      // mtime from the metadata's blobDateModified
      expect((yield* Effect.promise(() => stat(target))).mtime.getTime()).toBe(blob.mtime!.getTime())
    }).pipe(Effect.provide(archive(seedOne))))

  it.scopedLive("a download another live process holds the lock of is refused, naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "x.nwb")
      const work = NodeFileSink.workingArea(target)
      // process.ppid: a process that certainly runs and is not this one.
      yield* Effect.promise(async () => {
        await mkdir(work, { recursive: true })
        await writeFile(join(work, "lock"), JSON.stringify({ pid: process.ppid }))
      })
      const error = yield* Effect.flip(toFile(target))
      expect(error.message).toContain(`Could not acquire download lock for ${target}`)
      expect(error.message).toContain(String(process.ppid))
      expect(yield* storageRequests).toEqual([])
    }).pipe(Effect.provide(archive(seedOne))))
})

const hostile = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "hostile", owners: ["owner"] })
    const text = (value: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(value) }) as const
    yield* admin.addBlobAsset("000001", "ok/fine.txt", text("fine"))
    yield* admin.addBlobAsset("000001", "../escaped.txt", text("escape 1"))
    yield* admin.addBlobAsset("000001", "ok/../../escaped2.txt", text("escape 2"))
    yield* admin.addBlobAsset("000001", "/tmp/absolute.txt", text("escape 3"))
    yield* admin.addBlobAsset("000001", "ok//double.txt", text("empty segment"))
    yield* admin.addBlobAsset("000001", "ok\\..\\..\\win.txt", text("backslash"))
    yield* admin.runBackgroundJobs
  })

const listTree = (dir: string): Promise<ReadonlyArray<string>> =>
  readdir(dir, { recursive: true, withFileTypes: true }).then((entries) =>
    entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
  )

describe("folder and dandiset downloads", () => {
  it.scopedLive("hostile asset paths write nothing outside the target; the safe ones still arrive", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const out = join(dir, "out")
      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001", "draft")
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(NodeDownload.dandiset(dandiset, out)))
      const refused = events.flatMap((e) => e._tag === "Failed" ? [[e.name, e.error._tag] as const] : [])
      expect(refused.map(([, tag]) => tag)).toEqual(Array(5).fill("UnsafePathError"))
      expect(refused.map(([name]) => name).sort()).toEqual(
        ["../escaped.txt", "/tmp/absolute.txt", "ok//double.txt", "ok/../../escaped2.txt", "ok\\..\\..\\win.txt"].sort()
      )
      // Everything written is inside out/000001, and it is only the safe asset and dandiset.yaml.
      expect(yield* Effect.promise(() => listTree(dir))).toEqual(["out/000001/dandiset.yaml", "out/000001/ok/fine.txt"])
      expect(existsSync("/tmp/absolute.txt")).toBe(false)
    }).pipe(Effect.provide(archive(hostile))))

  it.scopedLive("dandiset.yaml is written as dandi-cli writes it, with the version's mtime", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001", "draft")
      yield* Stream.runDrain(NodeDownload.dandiset(dandiset, dir))
      const path = join(dir, "000001", "dandiset.yaml")
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      expect(text.split("\n").slice(0, 3)).toEqual([
        "# DO NOT EDIT THIS FILE LOCALLY. ALL LOCAL UPDATES WILL BE LOST.",
        "# It can be edited online at https://dandiarchive.org/dandiset/000001",
        "# and obtained from the dandiarchive."
      ])
      const metadata = yield* dandiset.getRawMetadata()
      expect(YAML.parse(text)).toEqual(JSON.parse(JSON.stringify(metadata)))
      // Keys sorted, block style: what PyYAML's safe_dump produces.
      const topKeys = text.split("\n").filter((line) => /^[^#\s-][^:]*:/.test(line)).map((line) => line.split(":")[0]!.replace(/"/g, ""))
      expect(topKeys).toEqual([...topKeys].sort())
      const modified = new Date((yield* dandiset.version).modified).getTime()
      expect((yield* Effect.promise(() => stat(path))).mtime.getTime()).toBe(modified)
    }).pipe(Effect.provide(archive(seedOne))))

  it.scopedLive("existing policies: error refuses, skip and refresh leave files alone, overwrite-different compares content", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001", "draft")
      const run = (existing: NodeDownload.ExistingPolicy) =>
        Stream.runCollect(NodeDownload.dandiset(dandiset, dir, { existing })).pipe(
          Effect.map((chunk) => Chunk.toReadonlyArray(chunk).filter((e) => e.name === assetPath).at(-1))
        )
      expect(yield* run("error")).toMatchObject({ _tag: "Completed" })
      const afterFirst = (yield* storageRequests).length
      expect(yield* run("error")).toMatchObject({ _tag: "Failed", error: { _tag: "LocalDataError" } })
      expect(yield* run("skip")).toMatchObject({ _tag: "Skipped", reason: "already exists" })
      expect(yield* run("refresh")).toMatchObject({ _tag: "Skipped", reason: "same time and size" })
      expect(yield* run("overwrite-different")).toMatchObject({ _tag: "Skipped", reason: "same content" })
      expect((yield* storageRequests).length).toBe(afterFirst)
      // Same size, different bytes: overwrite-different downloads, refresh notices the mtime.
      const file = join(dir, "000001", assetPath)
      yield* Effect.promise(() => writeFile(file, new Uint8Array(size)))
      expect(yield* run("overwrite-different")).toMatchObject({ _tag: "Completed" })
      expect(sameBytes(yield* Effect.promise(() => readFile(file)), expected)).toBe(true)
      yield* Effect.promise(() => writeFile(file, new Uint8Array(size)))
      expect(yield* run("refresh")).toMatchObject({ _tag: "Completed" })
      expect(yield* run("overwrite")).toMatchObject({ _tag: "Completed" })
    }).pipe(Effect.provide(archive(seedOne))))

  it.scopedLive("a zarr asset becomes a directory, entry by entry, a second run keeps what is there, and skip leaves it alone", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001", "draft")
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(NodeDownload.dandiset(dandiset, dir)))
      expect(events.filter((e) => e.name === "sub-1/image.zarr/.zgroup").map((e) => e._tag)).toContain("Completed")
      expect(events.filter((e) => e._tag === "Failed")).toEqual([])
      expect(yield* Effect.promise(() => readFile(join(dir, "000001", "sub-1", "image.zarr", ".zgroup"), "utf8"))).toBe("{}")
      const again = Chunk.toReadonlyArray(
        yield* Stream.runCollect(NodeDownload.dandiset(dandiset, dir, { existing: "overwrite-different" }))
      )
      expect(again.find((e) => e.name === "sub-1/image.zarr/.zgroup")).toMatchObject({ _tag: "Skipped", reason: "same content" })
      // `skip` leaves an existing directory alone without looking inside, even when it differs.
      yield* Effect.promise(() => writeFile(join(dir, "000001", "sub-1", "image.zarr", ".zgroup"), "changed"))
      const skipped = Chunk.toReadonlyArray(yield* Stream.runCollect(NodeDownload.dandiset(dandiset, dir, { existing: "skip" })))
      expect(skipped.filter((e) => e.name.startsWith("sub-1/image.zarr"))).toEqual([
        { _tag: "Skipped", name: "sub-1/image.zarr", reason: "already exists" }
      ])
      expect(yield* Effect.promise(() => readFile(join(dir, "000001", "sub-1", "image.zarr", ".zgroup"), "utf8"))).toBe("changed")
    }).pipe(Effect.provide(archive((admin) =>
      Effect.zipRight(
        seedOne(admin),
        admin.addZarrAsset("000001", "sub-1/image.zarr", { ".zgroup": { _tag: "Bytes", bytes: new TextEncoder().encode("{}") } })
      )
    ))))
})
