/**
 * Zarr download (client-behaviour §7.5): every entry into the target (bounded concurrency, each
 * verified by its MD5 before it appears; entries up to 1 MiB fetched whole, larger ones through
 * the Downloader's resumable stream), entries already present
 * with the right MD5 kept without a request, local files that are not entries removed, and the
 * checksum of what the listing described compared with the asset's `dandi:dandi-zarr-checksum`.
 *
 * Memory holds the set of entry keys (to find local extras) and the directories open along the
 * current key; bytes stream to the sinks.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { DigestMismatch } from "../../DandiError.js"
import type { DownloaderShape } from "../../Downloader.js"
import * as ZarrChecksum from "../../ZarrChecksum.js"
import type { ZarrDownloadError, ZarrDownloadEvent, ZarrDownloadOptions, ZarrDownloadResult } from "./model.js"
import { ZarrDownloadEvent as Events } from "./model.js"
import type { DownloadEvent } from "../download/model.js"
import * as Remote from "./remote.js"
import * as WholeEntry from "./wholeEntry.js"

export interface Services extends Remote.Remote, WholeEntry.Services {
  readonly downloader: DownloaderShape
}

export type Report = (event: ZarrDownloadEvent) => Effect.Effect<void>

/** dandi-cli's default number of entries downloaded at once per zarr. */
export const DEFAULT_JOBS = 4

/** The API route that redirects to one entry's object. */
export const entryUrl = (apiUrl: string, zarrId: string, key: string): string =>
  `${apiUrl}/zarr/${zarrId}/files/?prefix=${encodeURIComponent(key)}&download=true`

export const run = (
  services: Services,
  options: ZarrDownloadOptions,
  report: Report
): Effect.Effect<ZarrDownloadResult, ZarrDownloadError> =>
  Effect.gen(function*() {
    const { target, zarrId } = options
    const expected = options.checksum ?? (yield* Remote.fetchZarr(services, zarrId)).checksum ?? undefined
    const present = new Map<string, number>()
    yield* Stream.runForEach(target.files, (file) => Effect.sync(() => void present.set(file.path, file.size)))

    const keys = new Set<string>()
    // The listing comes in key order: the checksum folds each directory as soon as it is done.
    const tree = new ZarrChecksum.SortedStream(services.hasher)
    let downloaded = 0
    let bytesDownloaded = 0
    let kept = 0
    let removedConflicts = 0
    const reportEntry = (event: DownloadEvent) => report(Events.Entry({ event }))

    const entry = (key: string, size: number, etag: string): Effect.Effect<void, ZarrDownloadError> =>
      Effect.gen(function*() {
        // A local file where the entry needs a directory goes first.
        const blocking: Array<string> = []
        for (let slash = key.indexOf("/"); slash > 0; slash = key.indexOf("/", slash + 1)) {
          const above = key.slice(0, slash)
          if (present.delete(above)) blocking.push(above)
        }
        if (blocking.length > 0) {
          removedConflicts += blocking.length
          yield* target.remove(blocking)
          yield* report(Events.Removed({ paths: blocking }))
        }
        if (present.get(key) === size) {
          const [md5] = yield* target.md5([{ path: key, size }])
          if (md5 === etag) {
            kept++
            return yield* report(Events.Kept({ path: key, size }))
          }
        }
        const url = entryUrl(services.api.apiUrl, zarrId, key)
        const sink = target.sink(key)
        if (size <= WholeEntry.WHOLE_ENTRY_LIMIT) {
          yield* WholeEntry.fetch(services, { url, key, size, md5: etag }, sink, reportEntry)
          downloaded++
          bytesDownloaded += size
          return
        }
        const blob = { downloadUrl: url, size, name: key, digests: { md5: etag } }
        yield* Stream.runForEach(services.downloader.toSink(blob, sink), (event) => {
          if (event._tag === "Completed") {
            downloaded++
            bytesDownloaded += event.size - event.resumedFrom
          }
          return reportEntry(event)
        })
      })

    // One fiber per entry in flight, no inner stream: per-entry machinery is what a zarr of
    // small chunks pays for, many thousand times.
    yield* Remote.entries(services, zarrId).pipe(
      Stream.mapEffect((record) => {
        const etag = record.ETag.replace(/^"|"$/g, "")
        keys.add(record.Key)
        tree.add({ path: record.Key, size: record.Size, digest: etag })
        return entry(record.Key, record.Size, etag)
      }, { concurrency: Math.max(1, options.jobs ?? DEFAULT_JOBS), unordered: true }),
      Stream.runDrain
    )

    const extras: Array<string> = []
    yield* Stream.runForEach(target.files, (file) =>
      Effect.sync(() => {
        if (!keys.has(file.path) && target.keep?.(file.path) !== true) extras.push(file.path)
      }))
    if (extras.length > 0) {
      yield* target.remove(extras)
      yield* report(Events.Removed({ paths: extras }))
    }

    const local = ZarrChecksum.format(yield* tree.result())
    if (expected !== undefined && expected !== local) {
      return yield* new DigestMismatch({
        message: `Zarr ${zarrId}: the downloaded entries checksum to ${local} but the archive lists ${expected}; the zarr may have changed during the download. Download it again (entries already here are kept).`,
        algorithm: "dandi:dandi-zarr-checksum",
        expected,
        actual: local,
        path: target.name
      })
    }
    const result: ZarrDownloadResult = {
      zarrId,
      checksum: local,
      entries: keys.size,
      downloaded,
      bytesDownloaded,
      kept,
      removed: extras.length + removedConflicts
    }
    yield* report(Events.Done(result))
    return result
  }).pipe(Effect.withSpan("ZarrTransfers.download", { attributes: { zarr: options.zarrId } }))
