/**
 * Zarr assets end to end: upload a local zarr (and keep it in sync), download one, delete
 * entries, list one folder level — over any platform's files (`LocalZarrSource` /
 * `LocalZarrTarget`; Node's live in `LocalZarr`).
 *
 * ```ts
 * const zarrs = yield* ZarrTransfers
 * // Upload or sync: only entries whose MD5 differs are sent; extras on the archive are deleted.
 * yield* zarrs.upload({ dandisetId: "000123", path: "sub-1/sample.ome.zarr", source }).pipe(
 *   Stream.runForEach((event) => Console.log(event._tag))
 * )
 * // Download into a directory, resumable: entries already there with the right MD5 are kept.
 * const { checksum } = yield* zarrs.downloadZarr({ zarrId: asset.zarr, target })
 * yield* zarrs.rmfiles(asset.zarr, ["0/0/0"], { reingest: true })
 * ```
 *
 * Upload (client-behaviour §6): the zarr and its asset are created first (a zarr of the same
 * name in the dandiset is reused; replacing a zarr asset syncs its zarr); local files are
 * compared with the remote entries by MD5; remote files where the local side has a directory
 * (or the reverse) are deleted; changed and new files go up in batches of at most 255
 * presigned single-part PUTs with `Content-MD5` (and `x-amz-tagging` when the URL signs it);
 * PUTs refused with 403 get fresh URLs, up to 5 times, with half as many PUTs at once each
 * time and a jittered exponential backoff; remote extras are deleted; the zarr is finalized and
 * its checksum awaited (with a timeout) and compared with the local one, once more on a
 * mismatch. Interrupting stops the PUTs in flight; running the upload again sends only what
 * is missing.
 *
 * Download (§7.5): entries with bounded concurrency through the Downloader, each verified by
 * MD5 before it appears; local files that are not entries are removed (names a zarr excludes
 * are left alone); the checksum is compared with the asset's.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import { ApiClient } from "./ApiClient.js"
import { DandiConfig } from "./DandiConfig.js"
import * as Downloader from "./Downloader.js"
import { Hasher, type HasherShape, toHex } from "./Hasher.js"
import type { ApiError } from "./HttpErrors.js"
import { Paginator } from "./Paginator.js"
import { StorageClient } from "./StorageClient.js"
import * as Backend from "./internal/backend.js"
import * as DownloadZarr from "./internal/zarrTransfer/download.js"
import * as Model from "./internal/zarrTransfer/model.js"
import * as Remote from "./internal/zarrTransfer/remote.js"
import * as Tag from "./internal/zarrTransfer/tag.js"
import { ZarrTransfers } from "./internal/zarrTransfer/tag.js"
import * as UploadZarr from "./internal/zarrTransfer/upload.js"

/**
 * @since 0.1.0
 * @category models
 */
export type LocalZarrFile = Model.LocalZarrFile
/**
 * @since 0.1.0
 * @category models
 */
export type LocalZarrSource = Model.LocalZarrSource
/**
 * @since 0.1.0
 * @category models
 */
export type LocalZarrTarget = Model.LocalZarrTarget
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrTuning = Model.ZarrTuning
/**
 * What `replacing` takes: an asset's id and what backs it (any asset record fits).
 *
 * @since 0.1.0
 * @category models
 */
export type ReplacedAsset = Model.ReplacedAsset
/**
 * The asset a zarr upload answers with (a `RemoteZarrAsset` of the draft), by what it offers.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadedZarrAsset = Model.UploadedZarrAsset
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrUploadOptions = Model.ZarrUploadOptions
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrUploadResult = Model.ZarrUploadResult
/**
 * @since 0.1.0
 * @category errors
 */
export type ZarrUploadError = Model.ZarrUploadError
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrUploadEvent = Model.ZarrUploadEvent
/**
 * Constructors and `$match` / `$is` for upload events.
 *
 * @since 0.1.0
 * @category models
 */
export const ZarrUploadEvent = Model.ZarrUploadEvent
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrDownloadOptions = Model.ZarrDownloadOptions
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrDownloadResult = Model.ZarrDownloadResult
/**
 * @since 0.1.0
 * @category errors
 */
export type ZarrDownloadError = Model.ZarrDownloadError
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrDownloadEvent = Model.ZarrDownloadEvent
/**
 * Constructors and `$match` / `$is` for download events.
 *
 * @since 0.1.0
 * @category models
 */
export const ZarrDownloadEvent = Model.ZarrDownloadEvent
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrFolderEntry = Model.ZarrFolderEntry

/**
 * Entries per request for upload URLs (dandi-cli's batch size).
 *
 * @since 0.1.0
 * @category constants
 */
export const UPLOAD_BATCH: number = Remote.UPLOAD_BATCH
/**
 * Entries per DELETE request.
 *
 * @since 0.1.0
 * @category constants
 */
export const DELETE_BATCH: number = Remote.DELETE_BATCH
/**
 * The `encodingFormat` of a zarr asset.
 *
 * @since 0.1.0
 * @category constants
 */
export const ZARR_MIME_TYPE: string = UploadZarr.ZARR_MIME_TYPE

/**
 * @since 0.1.0
 * @category models
 */
export type RmfilesOptions = Tag.RmfilesOptions
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrTransfersShape = Tag.ZarrTransfersShape
/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * @since 0.1.0
   * @category tags
   */
  ZarrTransfers
} from "./internal/zarrTransfer/tag.js"

/**
 * A zarr held in memory (tests, browsers building a zarr from Blobs already read): its files are
 * the entries given, hashed with `hasher`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memorySource = (
  name: string,
  entries: Readonly<Record<string, Uint8Array>>,
  hasher: HasherShape
): LocalZarrSource => ({
  name,
  files: Stream.fromIterable(Object.entries(entries).map(([path, bytes]) => ({ path, size: bytes.length }))),
  md5: (files) =>
    Effect.sync(() =>
      files.map((file) => {
        const hash = hasher.create("md5")
        hash.update(entries[file.path] ?? new Uint8Array(0))
        return toHex(hash.digest())
      })
    ),
  read: (file) => Stream.make(entries[file.path] ?? new Uint8Array(0))
})

/** Events buffered between a transfer and a slow consumer before the transfer waits. */
const EVENT_BUFFER = 256

const asStream = <A, E>(run: (report: (event: A) => Effect.Effect<void>) => Effect.Effect<unknown, E>) =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<A, E>(EVENT_BUFFER)
    yield* run((event) => Effect.asVoid(mailbox.offer(event))).pipe(
      Effect.asVoid,
      Mailbox.into(mailbox),
      Effect.forkScoped
    )
    return Mailbox.toStream(mailbox)
  }))

const folderListing = (remote: Remote.Remote, zarrId: string, folder: string): Stream.Stream<ZarrFolderEntry, ApiError> =>
  Stream.suspend(() => {
    const base = folder.replace(/^\/+|\/+$/g, "")
    const prefix = base === "" ? "" : `${base}/`
    // Keys arrive in byte order, so each child's keys are contiguous: one open child at a time.
    let open: { name: string; size: number; files: number; folder: boolean } | undefined
    const close = (): Array<ZarrFolderEntry> => {
      if (open === undefined) return []
      const done = open
      open = undefined
      return [{
        _tag: done.folder ? "Folder" : "File",
        path: prefix + done.name,
        name: done.name,
        size: done.size,
        files: done.files
      }]
    }
    return Remote.entries(remote, zarrId, prefix === "" ? undefined : prefix).pipe(
      Stream.mapConcat((entry) => {
        if (!entry.Key.startsWith(prefix)) return []
        const rest = entry.Key.slice(prefix.length)
        const slash = rest.indexOf("/")
        const name = slash < 0 ? rest : rest.slice(0, slash)
        const isFolder = slash >= 0
        if (open !== undefined && open.name === name && open.folder === isFolder) {
          open.size += entry.Size
          open.files += 1
          return []
        }
        const closed = close()
        open = { name, size: entry.Size, files: 1, folder: isFolder }
        return closed
      }),
      Stream.concat(Stream.suspend(() => Stream.fromIterable(close())))
    )
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  ZarrTransfersShape,
  never,
  ApiClient | Paginator | StorageClient | DandiConfig | Hasher
> = Effect.gen(function*() {
  const api = yield* ApiClient
  const config = yield* DandiConfig
  const hasher = yield* Hasher
  const storage = yield* StorageClient
  const paginator = yield* Paginator
  const downloader = yield* Downloader.make
  const remote: Remote.Remote = {
    api,
    paginator,
    // The assets an upload answers with carry the API operations of this client.
    backend: Backend.make({
      client: api,
      paginator,
      location: { instanceName: config.instance.name, apiUrl: api.apiUrl }
    })
  }
  const uploadServices: UploadZarr.Services = { ...remote, storage, hasher }
  const downloadServices: DownloadZarr.Services = { ...remote, downloader, hasher, storage, config }

  const uploadZarr = (options: ZarrUploadOptions, onEvent?: (event: ZarrUploadEvent) => Effect.Effect<void>) =>
    UploadZarr.run(uploadServices, options, onEvent ?? (() => Effect.void))
  const downloadZarr = (options: ZarrDownloadOptions, onEvent?: (event: ZarrDownloadEvent) => Effect.Effect<void>) =>
    DownloadZarr.run(downloadServices, options, onEvent ?? (() => Effect.void))

  const rmfiles = Effect.fn("ZarrTransfers.rmfiles")(
    function*(zarrId: string, paths: ReadonlyArray<string>, options?: RmfilesOptions) {
      yield* Remote.deleteAll(remote, zarrId, paths, () => Effect.void)
      if (options?.reingest === false) return
      yield* Remote.finalize(remote, zarrId)
      yield* Remote.waitComplete(remote, zarrId, options?.pollInterval ?? "2 seconds", options?.checksumTimeout ?? "1 hour")
    }
  )

  return ZarrTransfers.of({
    upload: (options) => asStream<ZarrUploadEvent, ZarrUploadError>((report) => uploadZarr(options, report)),
    uploadZarr,
    download: (options) => asStream<ZarrDownloadEvent, ZarrDownloadError>((report) => downloadZarr(options, report)),
    downloadZarr,
    rmfiles,
    listFolder: (zarrId, folder = "") =>
      folderListing(remote, zarrId, folder).pipe(
        Stream.withSpan("ZarrTransfers.listFolder", { attributes: { zarr: zarrId, folder } })
      )
  })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ZarrTransfers, never, ApiClient | Paginator | StorageClient | DandiConfig | Hasher> =
  Layer.effect(ZarrTransfers, make)
