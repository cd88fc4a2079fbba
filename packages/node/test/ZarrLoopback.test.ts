/**
 * Zarr assets end to end over real sockets against the loopback emulator: upload, list,
 * download, incremental sync, 403 storms, rmfiles and resumed downloads — asserting on the
 * requests the emulator received and on checksums computed independently on both sides.
 */
import { ApiClient } from "@dandi-effect/core/ApiClient"
import { ZarrRecord } from "@dandi-effect/core/ApiRecords"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import type { BaseRemoteZarrAsset, RemoteAsset } from "@dandi-effect/core/RemoteAsset"
import * as ZarrTransfers from "@dandi-effect/core/ZarrTransfers"
import * as LocalZarr from "@dandi-effect/node/LocalZarr"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { dandisetId, makeWorld, type UploadWorld } from "./support/UploadWorld.js"
import { tempDir, writeFile, writeZarrTree } from "./support/ZarrTree.js"

const fast = { pollInterval: "10 millis", renewBackoff: "1 millis", checksumTimeout: "30 seconds" } as const

const uploadDir = (root: string, path: string, extra: Partial<ZarrTransfers.ZarrUploadOptions> = {}) =>
  Effect.gen(function*() {
    const zarrs = yield* ZarrTransfers.ZarrTransfers
    const source = yield* LocalZarr.source(root)
    const events: Array<ZarrTransfers.ZarrUploadEvent> = []
    const result = yield* zarrs.uploadZarr(
      { dandisetId, path, source, ...fast, ...extra },
      (event) => Effect.sync(() => void events.push(event))
    )
    return { result, events }
  })

const downloadTo = (zarrId: string, root: string, checksum?: string) =>
  Effect.gen(function*() {
    const zarrs = yield* ZarrTransfers.ZarrTransfers
    const target = yield* LocalZarr.target(root)
    const events: Array<ZarrTransfers.ZarrDownloadEvent> = []
    const result = yield* zarrs.downloadZarr(
      { zarrId, target, checksum },
      (event) => Effect.sync(() => void events.push(event))
    )
    return { result, events }
  })

const s3Requests = (world: UploadWorld, method: string, from = 0) =>
  world.observed.slice(from).filter((o) => o.origin === "s3" && o.method === method)

/** The entry key of an S3 request path `/<bucket>/zarr/<id>/<key>`. */
const keyOf = (path: string) => decodeURIComponent(path.split("/").slice(4).join("/"))

const apiRequests = (world: UploadWorld, method: string, suffix: string, from = 0) =>
  world.observed.slice(from).filter((o) => o.origin === "api" && o.method === method && o.path.endsWith(suffix))

const localChecksum = (root: string) => Effect.map(LocalZarr.checksum(root), String)

// A zarr upload names its asset by what it offers (UploadedZarrAsset); at run time it is a zarr asset record.
const zarrAsset = (asset: RemoteAsset | ZarrTransfers.UploadedZarrAsset) => asset as unknown as BaseRemoteZarrAsset

describe("a zarr with nested groups and thousands of chunks", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("uploads, lists and downloads with equal checksums on both sides; a re-upload sends only what changed", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-src-"), "sample.ome.zarr")
        // 3 groups (each with a nested labels group) × 4 arrays × 16 × 16 chunks: 3,095 files.
        const paths = writeZarrTree(root, { groups: 3, arrays: 4, side: 16, tag: "roundtrip" })
        expect(paths.length).toBeGreaterThan(3000)
        const expected = yield* localChecksum(root)

        const { events, result } = yield* uploadDir(root, "sub-1/sample.ome.zarr")
        expect(result.checksum).toBe(expected)
        expect(result.uploaded).toBe(paths.length)
        expect(s3Requests(world, "PUT").map((o) => keyOf(o.path)).sort()).toEqual([...paths].sort())
        // At most 255 URLs per request: ⌈n / 255⌉ requests, and no more.
        expect(apiRequests(world, "POST", `/zarr/${result.zarrId}/files/`)).toHaveLength(Math.ceil(paths.length / 255))
        expect(events.map((e) => e._tag).filter((tag, i, all) => tag !== all[i - 1])).toEqual([
          "ProducingAsset",
          "Comparing",
          "Initiating",
          "Uploading",
          "Finalizing",
          "Done"
        ])

        // The archive's view: the asset's digest, the listing, one folder level.
        const api = yield* DandiApi
        const asset = zarrAsset(yield* api.fetchVersionAsset(dandisetId, "draft", result.asset.identifier))
        expect(yield* asset.getRawDigest("dandi:dandi-zarr-checksum")).toBe(expected)
        const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(asset.iterfiles()))
        expect(listed.map((entry) => entry.path).sort()).toEqual([...paths].sort())
        const entry = yield* asset.getEntryByPath("g1/0/c/3/4")
        expect(entry.size).toBe("roundtrip:1:0:3:4".length)
        const tail = yield* Stream.runCollect(entry.download({ start: 10 }))
        expect(Buffer.concat([...tail]).toString()).toBe("roundtrip:1:0:3:4".slice(10))
        const zarrs = yield* ZarrTransfers.ZarrTransfers
        const top = Chunk.toReadonlyArray(yield* Stream.runCollect(zarrs.listFolder(result.zarrId)))
        expect(top.map((child) => [child._tag, child.name])).toEqual([
          ["File", ".zattrs"],
          ["File", ".zgroup"],
          ["Folder", "g0"],
          ["Folder", "g1"],
          ["Folder", "g2"]
        ])
        const g1 = top.find((child) => child.name === "g1")!
        const g1Paths = paths.filter((p) => p.startsWith("g1/"))
        expect(g1.files).toBe(g1Paths.length)
        expect(g1.size).toBe(g1Paths.reduce((sum, p) => sum + readFileSync(join(root, p)).length, 0))

        // Download into an empty directory: every entry fetched once, checksum equal.
        const out = join(tempDir("zarr-out-"), "copy.zarr")
        const getsBefore = s3Requests(world, "GET").length
        const downloaded = yield* downloadTo(result.zarrId, out, expected)
        expect(downloaded.result.downloaded).toBe(paths.length)
        expect(s3Requests(world, "GET").length - getsBefore).toBe(paths.length)
        expect(yield* localChecksum(out)).toBe(expected)
        expect(readFileSync(join(out, "g0", "1", "c", "2", "5"), "utf8")).toBe("roundtrip:0:1:2:5")

        // Incremental re-upload: two chunks changed, one added, one deleted, and a file turned
        // into a directory (a conflict). Only the changed and new entries are sent.
        writeFile(root, "g0/0/c/0/0", "changed-one")
        writeFile(root, "g1/1/c/15/15", "changed-two")
        writeFile(root, "g1/extra/.zarray", JSON.stringify({ chunks: [1] }))
        rmSync(join(root, "g0", "1", "c", "4", "4"))
        rmSync(join(root, "g0", "1", "c", "5", "5"))
        writeFile(root, "g0/1/c/5/5/0", "now-a-directory")
        const changedChecksum = yield* localChecksum(root)
        const before = world.observed.length
        const again = yield* uploadDir(root, "sub-1/sample.ome.zarr", { replacing: asset as unknown as RemoteAsset })
        expect(s3Requests(world, "PUT", before).map((o) => keyOf(o.path)).sort()).toEqual([
          "g0/0/c/0/0",
          "g0/1/c/5/5/0",
          "g1/1/c/15/15",
          "g1/extra/.zarray"
        ])
        expect(again.result).toMatchObject({ uploaded: 4, deleted: 2, checksum: changedChecksum, changed: true })
        expect(again.result.zarrId).toBe(result.zarrId)

        // Nothing changed: nothing sent, no finalize.
        const idle = world.observed.length
        const same = yield* uploadDir(root, "sub-1/sample.ome.zarr", { replacing: again.result.asset })
        expect(same.result).toMatchObject({ uploaded: 0, deleted: 0, changed: false, checksum: changedChecksum })
        expect(s3Requests(world, "PUT", idle)).toEqual([])
        expect(apiRequests(world, "POST", "/finalize/", idle)).toEqual([])

        // Downloading over the old copy fetches only the changed entries and removes the extras.
        writeFile(out, "stray/file.bin", "not part of the zarr")
        const resync = world.observed.length
        const updated = yield* downloadTo(result.zarrId, out, changedChecksum)
        expect(s3Requests(world, "GET", resync).map((o) => keyOf(o.path)).sort()).toEqual([
          "g0/0/c/0/0",
          "g0/1/c/5/5/0",
          "g1/1/c/15/15",
          "g1/extra/.zarray"
        ])
        const removed = updated.events.flatMap((e) => e._tag === "Removed" ? e.paths : [])
        expect([...removed].sort()).toEqual([
          "g0/1/c/4/4",
          "g0/1/c/5/5",
          "stray/file.bin"
        ])
        expect(existsSync(join(out, "stray"))).toBe(false)
        expect(yield* localChecksum(out)).toBe(changedChecksum)
      }), 300_000)
  })
})

describe("a storm of 403s from expired URLs", () => {
  // The first 400 PUTs meet an expired URL: every file of the first rounds is refused.
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "expire", times: 400 }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("recovers with fresh URLs and fewer PUTs at once, and the zarr is complete", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-403-"), "storm.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 1, side: 15, tag: "storm" })
        const { events, result } = yield* uploadDir(root, "storm.zarr")
        expect(result.checksum).toBe(yield* localChecksum(root))
        const renewals = events.filter((e) => e._tag === "Renewing")
        expect(renewals.map((e) => e.concurrency)).toEqual([3, 2])
        // 231 files: all refused at first, then 169 of them again (400 in all), then all sent.
        expect(renewals.map((e) => e.files)).toEqual([paths.length, 400 - paths.length])
        expect(apiRequests(world, "POST", `/zarr/${result.zarrId}/files/`)).toHaveLength(3)
        expect(s3Requests(world, "PUT")).toHaveLength(paths.length + 400)
      }), 120_000)
  })
})

describe("URLs refused on every attempt", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "expire" }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("give up after 5 renewals with an error that says what to do", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-403-"), "never.zarr")
        writeZarrTree(root, { groups: 1, arrays: 1, side: 2, tag: "never" })
        const error = yield* Effect.flip(uploadDir(root, "never.zarr"))
        expect(error._tag).toBe("StorageError")
        expect(error.message).toContain("after 5 retries due to repeated 403 errors")
        expect(error.message).not.toContain("X-Amz-Signature")
        expect(apiRequests(world, "POST", "/files/")).toHaveLength(6)
        expect(apiRequests(world, "POST", "/finalize/")).toEqual([])
      }), 120_000)
  })
})

describe("the store loses one entry of the first pass", () => {
  // The first PUT is answered 200 with the right ETag, but the store keeps nothing.
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "lose", times: 1 }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("the archive's checksum differs once: the upload repeats once, sends only the lost entry, and succeeds", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-lost-"), "lost.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 1, side: 6, tag: "lost" })
        const expected = yield* localChecksum(root)
        const { events, result } = yield* uploadDir(root, "lost.zarr")

        const mismatches = events.filter((e) => e._tag === "ChecksumMismatch")
        expect(mismatches).toHaveLength(1)
        expect(mismatches[0]).toMatchObject({ local: expected })
        expect(mismatches[0]!.remote).not.toBe(expected)
        const puts = s3Requests(world, "PUT").map((o) => keyOf(o.path))
        // Every entry once, then the lost one again (and nothing else) in the second pass.
        expect(puts).toHaveLength(paths.length + 1)
        expect([...new Set(puts)].sort()).toEqual([...paths].sort())
        const lost = puts.find((key, i) => puts.indexOf(key) !== i)!
        expect(puts.at(-1)).toBe(lost)
        expect(apiRequests(world, "POST", "/finalize/")).toHaveLength(2)
        expect(result).toMatchObject({ checksum: expected, uploaded: paths.length + 1, changed: true })

        const api = yield* DandiApi
        const asset = zarrAsset(yield* api.fetchVersionAsset(dandisetId, "draft", result.asset.identifier))
        expect(yield* asset.getRawDigest("dandi:dandi-zarr-checksum")).toBe(expected)
        expect(Chunk.toReadonlyArray(yield* Stream.runCollect(asset.iterfiles())).map((e) => e.path).sort())
          .toEqual([...paths].sort())
      }), 120_000)
  })
})

describe("a store that never keeps what it is sent", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "PUT", action: "lose" }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("after the one repeat, a typed DigestMismatch names the local and the archive's checksums", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-lost-"), "never-kept.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 1, side: 3, tag: "never-kept" })
        const expected = yield* localChecksum(root)
        const events: Array<ZarrTransfers.ZarrUploadEvent> = []
        const zarrs = yield* ZarrTransfers.ZarrTransfers
        const source = yield* LocalZarr.source(root)
        const error = yield* Effect.flip(zarrs.uploadZarr(
          { dandisetId, path: "never-kept.zarr", source, ...fast },
          (event) => Effect.sync(() => void events.push(event))
        ))
        expect(error._tag).toBe("DigestMismatch")
        if (error._tag !== "DigestMismatch") return
        const archived = events.find((e) => e._tag === "ChecksumMismatch")!.remote
        expect(error.expected).toBe(expected)
        expect(error.actual).toBe(archived)
        expect(archived).not.toBe(expected)
        expect(error.message).toContain(expected)
        expect(error.message).toContain(archived)
        expect(error.message).toContain("never-kept.zarr")
        // What to do names both causes: a file changing during the upload, or a store losing writes.
        expect(error.message).toMatch(/file changed while it was uploaded/)
        expect(error.message).toMatch(/storage did not keep what it acknowledged/)
        // Two passes, each sending every entry; no third.
        expect(events.filter((e) => e._tag === "ChecksumMismatch")).toHaveLength(1)
        expect(s3Requests(world, "PUT")).toHaveLength(2 * paths.length)
        expect(apiRequests(world, "POST", "/finalize/")).toHaveLength(2)
      }), 120_000)
  })
})

describe("rmfiles", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("deletes in batches of 100; with reingest the archive's checksum follows, without it the zarr waits", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-rm-"), "rm.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 1, side: 12, tag: "rm" })
        const { result } = yield* uploadDir(root, "rm.zarr")
        const zarrs = yield* ZarrTransfers.ZarrTransfers
        const api = yield* DandiApi
        const chunks = paths.filter((p) => p.includes("/c/"))
        const doomed = chunks.slice(0, 130)
        const before = world.observed.length
        yield* zarrs.rmfiles(result.zarrId, doomed, { reingest: false })
        expect(apiRequests(world, "DELETE", "/files/", before)).toHaveLength(2)
        expect(apiRequests(world, "POST", "/finalize/", before)).toEqual([])
        const pending = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listZarrs(dandisetId)))
          .find((z) => z.zarr_id === result.zarrId)!
        expect(pending.status).toBe("Pending")

        for (const path of doomed) rmSync(join(root, ...path.split("/")))
        const remaining = yield* localChecksum(root)
        const entry = yield* zarrAsset(result.asset).getEntryByPath(chunks[130]!)
        yield* zarrAsset(result.asset).rmfiles([entry], { reingest: true, pollInterval: "10 millis" })
        rmSync(join(root, ...chunks[130]!.split("/")))
        const complete = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listZarrs(dandisetId)))
          .find((z) => z.zarr_id === result.zarrId)!
        expect(complete.status).toBe("Complete")
        expect(complete.checksum).toBe(yield* localChecksum(root))
        expect(complete.checksum).not.toBe(remaining)
        expect(complete.file_count).toBe(paths.length - 131)

        const missing = yield* Effect.flip(zarrs.rmfiles(result.zarrId, ["no/such/entry"], { reingest: false }))
        expect(missing._tag).toBe("RequestRejectedError")
        expect(missing.message).toContain("does not exist")
      }), 120_000)
  })
})

describe("a download interrupted part way", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("resumes by fetching only the entries still missing", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-resume-"), "resume.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 2, side: 10, tag: "resume" })
        const { result } = yield* uploadDir(root, "resume.zarr")
        const out = join(tempDir("zarr-resume-out-"), "resume.zarr")

        // Hold every storage GET after the 60th: the download stalls with 60 entries fetched.
        let gets = 0
        const stalled = yield* Deferred.make<void>()
        world.control.hold = (request) => {
          if (request.origin !== "s3" || request.method !== "GET") return Effect.void
          gets++
          return gets > 60 ? Effect.zipRight(Deferred.succeed(stalled, undefined), Effect.never) : Effect.void
        }
        const completed: Array<string> = []
        const first = yield* Effect.fork(
          Effect.gen(function*() {
            const zarrs = yield* ZarrTransfers.ZarrTransfers
            const target = yield* LocalZarr.target(out)
            yield* zarrs.downloadZarr({ zarrId: result.zarrId, target }, (event) =>
              Effect.sync(() => {
                if (event._tag === "Entry" && event.event._tag === "Completed") completed.push(event.event.name)
              }))
          })
        )
        yield* Deferred.await(stalled)
        const exit = yield* Fiber.interrupt(first)
        expect(Exit.isInterrupted(exit)).toBe(true)
        world.control.hold = undefined
        expect(completed.length).toBeGreaterThan(0)
        expect(completed.length).toBeLessThanOrEqual(60)

        const before = world.observed.length
        const resumed = yield* downloadTo(result.zarrId, out)
        const fetched = s3Requests(world, "GET", before).map((o) => keyOf(o.path))
        // Entries finished before the interruption are kept (an entry written just as the
        // interruption came may be kept too); every other entry is fetched exactly once.
        expect(fetched.filter((key) => completed.includes(key))).toEqual([])
        expect(new Set(fetched).size).toBe(fetched.length)
        expect(resumed.result.kept).toBeGreaterThanOrEqual(completed.length)
        expect(fetched.length + resumed.result.kept).toBe(paths.length)
        expect(resumed.result.downloaded).toBe(fetched.length)
        expect(resumed.result.checksum).toBe(result.checksum)
        expect(yield* localChecksum(out)).toBe(result.checksum)
      }), 120_000)
  })
})

describe("a zarr that already exists, and an embargoed dandiset", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("a zarr of the same name is reused; embargoed entries carry the tagging header their URLs sign", () =>
      Effect.gen(function*() {
        const client = yield* ApiClient
        const existing = yield* client.json(ZarrRecord, "POST", "/zarr/", { body: { name: "reused.zarr", dandiset: dandisetId } })
        const root = join(tempDir("zarr-reuse-"), "reused.zarr")
        writeZarrTree(root, { groups: 1, arrays: 1, side: 2, tag: "reuse" })
        const { events, result } = yield* uploadDir(root, "reused.zarr")
        expect(events[0]).toMatchObject({ _tag: "ProducingAsset", reused: true, zarrId: existing.zarr_id })
        expect(result.zarrId).toBe(existing.zarr_id)

        // URLs of an embargoed dandiset sign `x-amz-tagging`: without the header every PUT is refused.
        const api = yield* DandiApi
        const embargoed = yield* api.createDandiset("Embargoed zarr", {}, { embargo: true })
        const before = world.observed.length
        const hidden = yield* uploadDir(root, "hidden.zarr", { dandisetId: embargoed.identifier })
        expect(hidden.events.filter((e) => e._tag === "Renewing")).toEqual([])
        expect(s3Requests(world, "PUT", before)).toHaveLength(hidden.result.uploaded)
        expect(hidden.result.checksum).toBe(yield* localChecksum(root))
      }), 120_000)
  })
})
