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
 * Every file goes through NodeFileSink (resumable across runs, verified before it appears).
 * A path from the server that would land outside the target folder — absolute, with `..`, empty
 * or `.` segments, a backslash or NUL — is refused with UnsafePathError in a `Failed` event and
 * nothing is written for it; the other assets still download. A failure of one file is a
 * `Failed` event too, so the rest go on; only a failure to list the assets ends the stream.
 * Zarr assets are reported as `Skipped` until zarr downloads exist.
 *
 * @since 0.1.0
 */
import * as AssetPath from "@dandi-effect/core/AssetPath"
import type { DandiApi } from "@dandi-effect/core/DandiApi"
import type { DandiError } from "@dandi-effect/core/DandiError"
import { describeCause, LocalDataError, UnsafePathError } from "@dandi-effect/core/DandiError"
import * as Downloader from "@dandi-effect/core/Downloader"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import { AssetType } from "@dandi-effect/core/RemoteAsset"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { lstat, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises"
import { join, resolve, sep } from "node:path"
import * as YAML from "yaml"
import type { DigestCache } from "./DigestCache.js"
import type { HashWorkerPool } from "./HashWorkerPool.js"
import * as NodeDigests from "./NodeDigests.js"
import * as NodeFileSink from "./NodeFileSink.js"

/**
 * What to do with a file that is already there (dandi-cli's `--existing`).
 *
 * @since 0.1.0
 * @category models
 */
export type ExistingPolicy = "error" | "skip" | "overwrite" | "overwrite-different" | "refresh"

/**
 * @since 0.1.0
 * @category models
 */
export const existingPolicies: ReadonlyArray<ExistingPolicy> = ["error", "skip", "overwrite", "overwrite-different", "refresh"]

/**
 * A download event, or what happened instead of a download.
 *
 * @since 0.1.0
 * @category models
 */
export type FileEvent =
  | Downloader.DownloadEvent
  | { readonly _tag: "Skipped"; readonly name: string; readonly reason: string }
  | { readonly _tag: "Failed"; readonly name: string; readonly error: DandiError }

/**
 * @since 0.1.0
 * @category models
 */
export interface FolderOptions {
  /** Default `error`, as dandi-cli. */
  readonly existing?: ExistingPolicy | undefined
  /** Files downloaded at once (default 6, dandi-cli's `-J`). */
  readonly jobs?: number | undefined
}

/**
 * What downloads need besides the Downloader: the API for metadata, and local hashing for
 * `overwrite-different`.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = DandiApi | Downloader.Downloader | HashWorkerPool | DigestCache

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
): Stream.Stream<Downloader.DownloadEvent, Downloader.DownloadError | DandiError, DandiApi | Downloader.Downloader> =>
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

const sameInstant = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) < 1

/** Whether the file at `target` can stay as it is, per the policy; `undefined` when it must be downloaded. */
const keepExisting = (asset: BaseRemoteAsset, target: string, name: string, policy: ExistingPolicy) =>
  Effect.gen(function*() {
    const info = yield* Effect.promise(() => lstat(target).catch(() => undefined))
    if (info === undefined) return undefined
    switch (policy) {
      case "overwrite":
        return undefined
      case "skip":
        return "already exists"
      case "error":
        return yield* new LocalDataError({
          message: `${target} already exists; pass --existing skip, overwrite, overwrite-different or refresh to say what to do with it.`,
          path: target
        })
      case "refresh": {
        const metadata = yield* asset.getRawMetadata()
        const mtime = Downloader.fromAssetData(asset, metadata).mtime
        return info.size === asset.size && mtime !== undefined && sameInstant(info.mtime, mtime)
          ? "same time and size"
          : undefined
      }
      case "overwrite-different": {
        if (!info.isFile() || info.size !== asset.size) return undefined
        const remote = Downloader.fromAssetData(asset, yield* asset.getRawMetadata()).digests["dandi-etag"]
        if (remote === undefined) return undefined
        const local = yield* NodeDigests.ofPath(target, "dandi-etag")
        return local === remote ? "same content" : undefined
      }
    }
  }).pipe(Effect.withSpan("NodeDownload.keepExisting", { attributes: { name } }))

const failed = (name: string) => (error: DandiError): Stream.Stream<FileEvent> =>
  Stream.make<[FileEvent]>({ _tag: "Failed", name, error })

/** One asset of a folder download, as events; its failures become a Failed event. */
const oneAsset = (
  asset: BaseRemoteAsset,
  root: string,
  name: string,
  policy: ExistingPolicy
): Stream.Stream<FileEvent, never, Requirements> => {
  if (asset.assetType === AssetType.ZARR) {
    return Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason: "zarr assets cannot be downloaded yet" })
  }
  return Either.match(localPath(root, name), {
    onLeft: (error) => failed(name)(error),
    onRight: (target) =>
      Stream.unwrap(Effect.map(keepExisting(asset, target, name, policy), (reason) =>
        reason === undefined
          ? assetToFile(asset, target, name) as Stream.Stream<FileEvent, DandiError, Requirements>
          : Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason }))).pipe(
          Stream.catchAll((error) => failed(name)(error as DandiError))
        )
  })
}

/**
 * Assets under `root`, each at `root/<relativePath(asset)>` (its asset path by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const assets = <E, R>(
  listing: Stream.Stream<BaseRemoteAsset, E, R>,
  root: string,
  options: FolderOptions & { readonly relativePath?: ((asset: BaseRemoteAsset) => string) | undefined } = {}
): Stream.Stream<FileEvent, E, R | Requirements> =>
  listing.pipe(
    Stream.flatMap(
      (asset) => oneAsset(asset, root, options.relativePath?.(asset) ?? asset.path, options.existing ?? "error"),
      { concurrency: Math.max(1, options.jobs ?? 6) }
    )
  )

const yamlHeader = (identifier: string, gui: string | null) =>
  `# DO NOT EDIT THIS FILE LOCALLY. ALL LOCAL UPDATES WILL BE LOST.\n# It can be edited online at ${
    (gui ?? "https://dandiarchive.org").replace(/\/+$/, "")
  }/dandiset/${identifier}\n# and obtained from the dandiarchive.\n`

/**
 * `dandiset.yaml` as dandi-cli writes it: its warning header, then the version's raw metadata
 * as block YAML with sorted keys (PyYAML's `safe_dump`), merged over what the file held; mtime
 * set to the version's `modified`. Unchanged content is left alone.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dandisetYaml = (
  dandiset: RemoteDandiset,
  folder: string,
  policy: ExistingPolicy = "error",
  gui: string | null = null
): Stream.Stream<FileEvent, never, DandiApi> => {
  const name = "dandiset.yaml"
  const path = join(folder, name)
  return Stream.unwrap(Effect.gen(function*() {
    const metadata = yield* dandiset.getRawMetadata()
    const modified = new Date((yield* dandiset.version).modified)
    const existing = yield* Effect.promise(() => readFile(path, "utf8").then((text) => text, () => undefined))
    let merged: Record<string, unknown> = { ...metadata }
    if (existing !== undefined) {
      const old = (() => {
        try {
          return YAML.parse(existing) as unknown
        } catch {
          return undefined
        }
      })()
      const canonical = (value: unknown) => YAML.stringify(value, { sortMapEntries: true })
      if (canonical(metadata) === canonical(old)) {
        return Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason: "no change" })
      }
      if (policy === "error") {
        return yield* new LocalDataError({
          message: `${path} already exists and differs; pass --existing overwrite (or refresh) to replace it.`,
          path
        })
      }
      if (policy === "skip") return Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason: "already exists" })
      const info = yield* Effect.promise(() => stat(path))
      if (policy === "refresh" && info.mtime.getTime() >= modified.getTime()) {
        return Stream.make<[FileEvent]>({ _tag: "Skipped", name, reason: "same time or newer" })
      }
      if (typeof old === "object" && old !== null) merged = { ...(old as Record<string, unknown>), ...metadata }
    }
    const text = yamlHeader(dandiset.identifier, gui) +
      YAML.stringify(merged, { sortMapEntries: true, indentSeq: false, lineWidth: 80, minContentWidth: 0 })
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(folder, { recursive: true })
        await writeFile(path, text)
        await utimes(path, new Date(), modified)
      },
      catch: (cause) =>
        new LocalDataError({ message: `Cannot write ${path}: ${describeCause(cause)}. Check that the folder is writable.`, path, cause })
    })
    const size = new TextEncoder().encode(text).length
    return Stream.make<[FileEvent]>({ _tag: "Completed", name, size, resumedFrom: 0, verified: [] })
  }).pipe(Effect.catchAll((error) => Effect.succeed(failed(name)(error)))))
}

/**
 * A dandiset version into `outDir/<identifier>/`: `dandiset.yaml` first (when the whole
 * dandiset is wanted), then its assets (or those under `pathPrefix`), as dandi-cli lays them out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dandiset = (
  dandiset: RemoteDandiset,
  outDir: string,
  options: FolderOptions & {
    readonly pathPrefix?: string | undefined
    readonly listing?: Stream.Stream<BaseRemoteAsset, DandiError, DandiApi> | undefined
    readonly gui?: string | null | undefined
  } = {}
): Stream.Stream<FileEvent, DandiError, Requirements> => {
  const folder = join(outDir, dandiset.identifier)
  const whole = options.pathPrefix === undefined && options.listing === undefined
  const listing = options.listing ??
    (options.pathPrefix === undefined
      ? dandiset.getAssets("path")
      : dandiset.getAssetsWithPathPrefix(options.pathPrefix, "path"))
  const files = assets(listing, folder, options)
  return whole ? Stream.concat(dandisetYaml(dandiset, folder, options.existing, options.gui ?? null), files) : files
}
