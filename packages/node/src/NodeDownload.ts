/**
 * Downloads to disk: one asset to a file, many assets under a folder, a whole dandiset with its
 * `dandiset.yaml` — with dandi-cli's layout and `existing` policies, bounded file concurrency,
 * and one Stream of typed events for all files at once.
 *
 * ```ts
 * yield* NodeDownload.assetToFile(asset, "out/sub-1.nwb").pipe(Stream.runDrain)
 * yield* NodeDownload.dandiset(dandiset, "out", { existing: "refresh", jobs: 6 }).pipe(Stream.runForEach(render))
 * ```
 *
 * The pipeline is core's (`Downloader.toFolder` / `Downloader.dandiset`); this module gives it
 * a folder on disk (`folder(dir)`): every file goes through NodeFileSink (resumable across runs,
 * verified before it appears), `overwrite-different` hashes local files on the worker pool.
 * A path from the server that would land outside the target folder — absolute, with `..`, empty
 * or `.` segments, a backslash or NUL — is refused with UnsafePathError in a `Failed` event and
 * nothing is written for it; the other assets still download. A failure of one file is a
 * `Failed` event too, so the rest go on; only a failure to list the assets ends the stream.
 * Zarr assets are downloaded as directories (`zarrToDirectory`, through ZarrTransfers).
 *
 * @since 0.1.0
 */
import * as AssetPath from "@dandi-effect/core/AssetPath"
import type { DandiError } from "@dandi-effect/core/DandiError"
import { describeCause, LocalDataError, UnsafePathError } from "@dandi-effect/core/DandiError"
import * as DownloadFolder from "@dandi-effect/core/DownloadFolder"
import * as Downloader from "@dandi-effect/core/Downloader"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import * as ZarrTransfers from "@dandi-effect/core/ZarrTransfers"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createReadStream } from "node:fs"
import { lstat, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises"
import { dirname, resolve, sep } from "node:path"
import type { DigestCache } from "./DigestCache.js"
import type { HashWorkerPool } from "./HashWorkerPool.js"
import * as LocalZarr from "./LocalZarr.js"
import * as NodeDigests from "./NodeDigests.js"
import * as NodeFileSink from "./NodeFileSink.js"

/**
 * What to do with a file that is already there (dandi-cli's `--existing`).
 *
 * @since 0.1.0
 * @category models
 */
export type ExistingPolicy = DownloadFolder.ExistingPolicy

/**
 * @since 0.1.0
 * @category models
 */
export const existingPolicies: ReadonlyArray<ExistingPolicy> = DownloadFolder.existingPolicies

/**
 * A download event, or what happened instead of a download.
 *
 * @since 0.1.0
 * @category models
 */
export type FileEvent = DownloadFolder.FolderEvent

/**
 * @since 0.1.0
 * @category models
 */
export type FolderOptions = DownloadFolder.FolderOptions

/**
 * What downloads need besides the Downloader: the API for metadata, and local hashing for
 * `overwrite-different`.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Downloader.Downloader | ZarrTransfers.ZarrTransfers | HashWorkerPool | DigestCache

/**
 * One blob asset to `target` (resumable, verified, mtime from `blobDateModified`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const assetToFile = (
  asset: BaseRemoteAsset,
  target: string,
  name: string = asset.path
): Stream.Stream<Downloader.DownloadEvent, Downloader.DownloadError | DandiError, Downloader.Downloader> =>
  Stream.unwrap(Effect.gen(function*() {
    const downloader = yield* Downloader.Downloader
    const metadata = yield* asset.getRawMetadata()
    const blob = { ...Downloader.fromAssetData(asset, metadata), name }
    return downloader.toSink(blob, NodeFileSink.make(target))
  }))

/**
 * The local path of an asset under `root`, or why it may not be written.
 *
 * @since 0.1.0
 * @category utils
 */
export const localPath = (root: string, assetPath: string): Either.Either<string, UnsafePathError> =>
  Either.flatMap(AssetPath.safeRelativePath(assetPath), (relative) => {
    const base = resolve(root)
    const target = resolve(base, ...relative.split("/"))
    return target.startsWith(base + sep)
      ? Either.right(target)
      : Either.left(
        new UnsafePathError({
          message: `Refusing to write ${JSON.stringify(assetPath)}: it resolves outside ${base}. Rename the asset on the archive, or download it by asset id to a path you choose.`,
          path: assetPath
        })
      )
  })

const localFailure = (path: string, doing: string) => (cause: unknown) =>
  new LocalDataError({
    message: `Cannot ${doing} ${path}: ${describeCause(cause)}. Check that the folder is readable and writable.`,
    path,
    cause
  })

const fileIn = (path: string, hashing: (path: string) => Effect.Effect<string, LocalDataError>): DownloadFolder.FolderFile => ({
  path,
  sink: NodeFileSink.make(path),
  existing: Effect.tryPromise({
    try: () => lstat(path).catch((error: NodeJS.ErrnoException) => error.code === "ENOENT" ? undefined : Promise.reject(error)),
    catch: localFailure(path, "inspect")
  }).pipe(Effect.map((info) =>
    Option.map(Option.fromNullable(info), (found) => ({ size: found.size, mtime: found.mtime, isFile: found.isFile() }))
  )),
  // Opened only when read: constructing the stream opens the file.
  read: Stream.suspend(() =>
    Stream.fromAsyncIterable(
      createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
      localFailure(path, "read")
    )
  ),
  dandiEtag: hashing(path),
  readText: Effect.tryPromise({
    try: () => readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => error.code === "ENOENT" ? undefined : Promise.reject(error)),
    catch: localFailure(path, "read")
  }).pipe(Effect.map(Option.fromNullable)),
  writeText: (text, mtime) =>
    Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, text)
        await utimes(path, new Date(), mtime)
      },
      catch: localFailure(path, "write")
    })
})

const failed = (name: string) => (error: DandiError): Stream.Stream<FileEvent> =>
  Stream.make<[FileEvent]>({ _tag: "Failed", name, error })

/**
 * A zarr asset into the directory `target`, as per-entry events named `<name>/<key>`: entries
 * already there with the right MD5 are `Skipped` (kept), local files that are not entries are
 * removed, and the whole is checked against the asset's zarr checksum. `skip` leaves an
 * existing directory alone; every other policy brings it in line with the archive.
 *
 * @since 0.1.0
 * @category constructors
 */
export const zarrToDirectory = (
  asset: Downloader.DownloadableZarr,
  target: string,
  name: string = asset.path,
  policy: ExistingPolicy = "overwrite-different"
): Stream.Stream<FileEvent, never, ZarrTransfers.ZarrTransfers | HashWorkerPool> =>
  Stream.unwrap(Effect.gen(function*() {
    // Asynchronous: a slow or remote file system must not hold up the other downloads' events.
    if (policy === "skip" && (yield* Effect.promise(() => stat(target).then(() => true, () => false)))) {
      return Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason: "already exists" })
    }
    const zarrs = yield* ZarrTransfers.ZarrTransfers
    const checksum = yield* asset.getRawDigest("dandi:dandi-zarr-checksum").pipe(
      Effect.map((value): string | undefined => value),
      Effect.catchTag("NotFoundError", () => Effect.succeed(undefined))
    )
    const zarrId = asset.zarr
    const events = zarrs.download({ zarrId, target: yield* LocalZarr.target(target), checksum })
    return events.pipe(
      Stream.mapConcat((event): ReadonlyArray<FileEvent> => {
        switch (event._tag) {
          case "Entry":
            return [{ ...event.event, name: `${name}/${event.event.name}` }]
          case "Kept":
            return [{ _tag: "Skipped", name: `${name}/${event.path}`, reason: "same content" }]
          default:
            return []
        }
      })
    )
  }).pipe(Effect.catchAll((error) => Effect.succeed(failed(name)(error))))).pipe(
    Stream.catchAll((error) => failed(name)(error as DandiError))
  )

/**
 * A folder on disk for `Downloader.toFolder` / `Downloader.dandiset`: files written through
 * NodeFileSink's resumable working area, zarr assets as directories (`zarrToDirectory`), paths
 * resolving outside `root` refused, local dandi-etags (for `overwrite-different`) computed on
 * the worker pool with the digest cache.
 *
 * @since 0.1.0
 * @category constructors
 */
export const folder = (
  root: string
): Effect.Effect<DownloadFolder.DownloadFolder, never, FolderRequirements> =>
  Effect.map(Effect.context<FolderRequirements>(), (context) => {
    const hashing = (path: string) =>
      NodeDigests.ofPath(path, "dandi-etag").pipe(
        Effect.mapError(localFailure(path, "hash")),
        Effect.provide(context)
      )
    return {
      name: resolve(root),
      file: (relativePath) => Either.map(localPath(root, relativePath), (path) => fileIn(path, hashing)),
      zarr: (asset, name, relativePath, policy) =>
        Either.match(localPath(root, relativePath), {
          onLeft: failed(name),
          onRight: (target) => zarrToDirectory(asset, target, name, policy).pipe(Stream.provideContext(context))
        })
    }
  })

type FolderRequirements = ZarrTransfers.ZarrTransfers | HashWorkerPool | DigestCache

/**
 * Assets under `root`, each at `root/<relativePath(asset)>` (its asset path by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const assets = <A extends Downloader.DownloadableAsset, E, R>(
  listing: Stream.Stream<A, E, R>,
  root: string,
  options: DownloadFolder.AssetsOptions<A> = {}
): Stream.Stream<FileEvent, E, R | Requirements> =>
  Stream.unwrap(Effect.gen(function*() {
    const downloader = yield* Downloader.Downloader
    return downloader.toFolder(listing, yield* folder(root), options)
  }))

/**
 * A dandiset version into `outDir/<identifier>/`: `dandiset.yaml` first (when the whole
 * dandiset is wanted), then its assets (or those under `pathPrefix`), as dandi-cli lays them out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dandiset = <R = never>(
  dandiset: Downloader.DownloadableDandiset,
  outDir: string,
  options: DownloadFolder.DandisetOptions<R> = {}
): Stream.Stream<FileEvent, DandiError, R | Requirements> =>
  Stream.unwrap(Effect.gen(function*() {
    const downloader = yield* Downloader.Downloader
    return downloader.dandiset(dandiset, yield* folder(outDir), options)
  }))
