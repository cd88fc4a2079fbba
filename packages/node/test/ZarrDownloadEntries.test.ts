/**
 * A zarr download's per-entry guarantees over real sockets against the loopback emulator, when
 * the store misbehaves for single entries: a corrupted body is discarded and fetched again, a
 * connection reset or a truncated body is retried, an expired URL is renewed through the API,
 * and an entry that never verifies fails with DigestMismatch leaving nothing at its path. Also:
 * the redirects are asked over connections that stay open (one per entry would double the
 * requests' cost), and entries above the whole-fetch size still resume from what an interrupted
 * run left.
 */
import type { DownloadEvent } from "@dandi-effect/core/Downloader"
import * as ZarrTransfers from "@dandi-effect/core/ZarrTransfers"
import * as LocalZarr from "@dandi-effect/node/LocalZarr"
import { describe, expect, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { subscribe, unsubscribe } from "node:diagnostics_channel"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { dandisetId, makeWorld, MiB, type UploadWorld } from "./support/UploadWorld.js"
import { tempDir, writeFile, writeZarrTree } from "./support/ZarrTree.js"

const fast = { pollInterval: "10 millis", renewBackoff: "1 millis", checksumTimeout: "30 seconds" } as const

const upload = (root: string, path: string) =>
  Effect.gen(function*() {
    const zarrs = yield* ZarrTransfers.ZarrTransfers
    return yield* zarrs.uploadZarr({ dandisetId, path, source: yield* LocalZarr.source(root), ...fast })
  })

const download = (zarrId: string, root: string, options: { readonly checksum?: string; readonly jobs?: number } = {}) =>
  Effect.gen(function*() {
    const zarrs = yield* ZarrTransfers.ZarrTransfers
    const target = yield* LocalZarr.target(root)
    const events: Array<ZarrTransfers.ZarrDownloadEvent> = []
    const result = yield* zarrs.downloadZarr(
      { zarrId, target, checksum: options.checksum, jobs: options.jobs },
      (event) => Effect.sync(() => void events.push(event))
    )
    return { result, events }
  })

const storageGets = (world: UploadWorld, from: number) =>
  world.observed.slice(from).filter((o) => o.origin === "s3" && o.method === "GET")

const apiEntryRequests = (world: UploadWorld, method: string, from: number) =>
  world.observed.slice(from).filter((o) => o.origin === "api" && o.method === method && o.path.endsWith("/files/"))

/** Every file below `root`, as `/`-separated paths. */
const filesBelow = (root: string): Array<string> =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split("\\").join("/"))
    : []

const entryEvents = <T extends DownloadEvent["_tag"]>(events: ReadonlyArray<ZarrTransfers.ZarrDownloadEvent>, tag: T) =>
  events.flatMap((event) =>
    event._tag === "Entry" && event.event._tag === tag ? [event.event as Extract<DownloadEvent, { readonly _tag: T }>] : []
  )

const zarrObjects = "/dandiarchive/zarr/"

describe("a store that misbehaves for single entries", () => {
  const world = makeWorld({
    rules: [
      { target: "s3", method: "GET", pathPrefix: zarrObjects, action: "corrupt", skip: 2, times: 1 },
      { target: "s3", method: "GET", pathPrefix: zarrObjects, action: "reset", afterBytes: 5, skip: 6, times: 1 },
      { target: "s3", method: "GET", pathPrefix: zarrObjects, action: "expire", skip: 10, times: 1 },
      { target: "s3", method: "GET", pathPrefix: zarrObjects, action: "truncate", afterBytes: 3, skip: 14, times: 1 }
    ]
  })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("each entry still arrives verified: refetched after a corrupted body, retried after a reset or truncation, renewed after an expired URL", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-faults-"), "faults.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 2, side: 4, tag: "faults" })
        const uploaded = yield* upload(root, "faults.zarr")
        const out = join(tempDir("zarr-faults-out-"), "faults.zarr")

        const before = world.observed.length
        const { events, result } = yield* download(uploaded.zarrId, out, { checksum: uploaded.checksum })
        expect(result).toMatchObject({ checksum: uploaded.checksum, entries: paths.length, downloaded: paths.length })
        // One more storage GET for each fault: the refetch, two retries, the renewed URL.
        expect(storageGets(world, before)).toHaveLength(paths.length + 4)
        expect(entryEvents(events, "Restarted")).toHaveLength(1)
        const retries = entryEvents(events, "Retrying").map((event) => event.reason).sort()
        expect(retries).toEqual(["the connection broke off", "the connection broke off", "the presigned URL expired"])
        // The expired URL was asked for again; the redirects are GETs (a HEAD costs a connection).
        expect(apiEntryRequests(world, "GET", before).length).toBeGreaterThanOrEqual(paths.length + 1)
        expect(apiEntryRequests(world, "HEAD", before)).toEqual([])
        // Every byte as uploaded, and nothing else: no temporary or working files left.
        expect(filesBelow(out).sort()).toEqual([...paths].sort())
        for (const path of paths) expect(readFileSync(join(out, path))).toEqual(readFileSync(join(root, path)))
      }), 120_000)
  })
})

describe("a store that corrupts every body", () => {
  const world = makeWorld({ rules: [{ target: "s3", method: "GET", pathPrefix: zarrObjects, action: "corrupt" }] })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("fails with DigestMismatch after one refetch, and no file appears", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-corrupt-"), "corrupt.zarr")
        writeZarrTree(root, { groups: 1, arrays: 1, side: 2, tag: "corrupt" })
        const uploaded = yield* upload(root, "corrupt.zarr")
        const out = join(tempDir("zarr-corrupt-out-"), "corrupt.zarr")

        const before = world.observed.length
        const error = yield* Effect.flip(download(uploaded.zarrId, out, { jobs: 1 }))
        expect(error._tag).toBe("DigestMismatch")
        expect(error.message).toContain("did not match its md5 digest")
        // The first entry: fetched, discarded, fetched again, discarded; nothing after it.
        expect(storageGets(world, before)).toHaveLength(2)
        expect(filesBelow(out)).toEqual([])
      }), 60_000)
  })
})

describe("a zarr of many small entries", () => {
  const world = makeWorld()
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("is downloaded over a few kept-alive connections, not one per entry", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-conns-"), "conns.zarr")
        const paths = writeZarrTree(root, { groups: 1, arrays: 2, side: 8, tag: "conns" })
        expect(paths.length).toBeGreaterThan(100)
        const uploaded = yield* upload(root, "conns.zarr")
        const out = join(tempDir("zarr-conns-out-"), "conns.zarr")

        let connections = 0
        const onConnected = () => void connections++
        subscribe("undici:client:connected", onConnected)
        const { result } = yield* download(uploaded.zarrId, out, { checksum: uploaded.checksum, jobs: 4 }).pipe(
          Effect.ensuring(Effect.sync(() => unsubscribe("undici:client:connected", onConnected)))
        )
        expect(result.downloaded).toBe(paths.length)
        // 4 entries at once: a connection each to the API and to the store, a few more if a
        // kept-alive one was closed by the server meanwhile; never one per entry.
        expect(connections).toBeGreaterThan(0)
        expect(connections).toBeLessThan(paths.length / 4)
      }), 120_000)
  })
})

describe("a zarr entry larger than the whole-fetch size", () => {
  const world = makeWorld({
    rules: [{ target: "s3", method: "GET", pathPrefix: zarrObjects, action: "stall", afterBytes: 4 * MiB, times: 1 }]
  })
  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("is streamed through a working area, and a later run resumes it from what the interrupted one kept", () =>
      Effect.gen(function*() {
        const root = join(tempDir("zarr-large-"), "large.zarr")
        // Above the size a target holds in memory (8 MiB): written through a resumable working area.
        const big = new Uint8Array(9 * MiB)
        for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff
        // The only entry, so that the store's one stall hits it.
        writeFile(root, "0/0", big)
        const uploaded = yield* upload(root, "large.zarr")
        const out = join(tempDir("zarr-large-out-"), "large.zarr")

        // The store sends 4 MiB of the big entry and then nothing: once some have arrived, stop.
        const partway = yield* Deferred.make<void>()
        const first = yield* Effect.fork(
          Effect.gen(function*() {
            const zarrs = yield* ZarrTransfers.ZarrTransfers
            const target = yield* LocalZarr.target(out)
            yield* zarrs.downloadZarr({ zarrId: uploaded.zarrId, target }, (event) =>
              event._tag === "Entry" && event.event._tag === "Progress" && event.event.done >= 2 * MiB
                ? Deferred.succeed(partway, undefined)
                : Effect.void)
          })
        )
        yield* Deferred.await(partway)
        expect(Exit.isInterrupted(yield* Fiber.interrupt(first))).toBe(true)
        expect(existsSync(join(out, "0", "0"))).toBe(false)

        const before = world.observed.length
        const { events, result } = yield* download(uploaded.zarrId, out, { checksum: uploaded.checksum })
        // What the interrupted run wrote (at least the 2 MiB it reported) was kept, not asked for again.
        const started = entryEvents(events, "Started").find((event) => event.name === "0/0")
        expect(started?.resumedFrom).toBeGreaterThanOrEqual(2 * MiB)
        expect(started?.resumedFrom).toBeLessThanOrEqual(4 * MiB)
        const refetched = storageGets(world, before).filter((o) => o.path.endsWith("/0/0"))
        expect(refetched).toHaveLength(1)
        expect(result.checksum).toBe(uploaded.checksum)
        // Compared as bytes (a deep equality of 9 MiB element by element takes a minute).
        expect(Buffer.compare(readFileSync(join(out, "0", "0")), Buffer.from(big))).toBe(0)
        expect(filesBelow(out)).toEqual(["0/0"])
      }), 120_000)
  })
})
