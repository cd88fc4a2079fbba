/**
 * Many assets into a DownloadFolder, as `dandi download` does it: each asset path checked
 * before anything is written for it, the `existing` policy applied to what is already there,
 * a bounded number of files at once, one stream of events for all of them; for a whole dandiset
 * `dandiset.yaml` first, as dandi-cli writes it. A failure of one file is a `Failed` event and
 * the others go on; only a failure to list the assets ends the stream.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as AssetPath from "../../AssetPath.js"
import type { DandiError } from "../../DandiError.js"
import { LocalDataError } from "../../DandiError.js"
import type {
  AssetsOptions,
  DandisetOptions,
  DownloadFolder,
  ExistingPolicy,
  FolderEvent,
  FolderFile
} from "../../DownloadFolder.js"
import type {
  BlobDownload,
  DownloadableAsset,
  DownloadableDandiset,
  DownloadError,
  DownloadEvent
} from "./model.js"
import type { HasherShape } from "../../Hasher.js"
import * as Utf8 from "../utf8.js"
import * as Verifier from "./verifier.js"

export interface Dependencies {
  readonly hasher: HasherShape
  readonly toSink: (blob: BlobDownload, sink: FolderFile["sink"]) => Stream.Stream<DownloadEvent, DownloadError>
  /** The instance's web app, for dandiset.yaml's header (dandiarchive.org when unknown). */
  readonly gui: string | null
}

const sameInstant = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) < 1

const failed = (name: string) => (error: DandiError): Stream.Stream<FolderEvent> =>
  Stream.make<[FolderEvent]>({ _tag: "Failed", name, error })

const skipped = (name: string, reason: string): Stream.Stream<FolderEvent> =>
  Stream.make<[FolderEvent]>({ _tag: "Skipped", name, reason })

/** Whether `file`'s bytes have the dandi-etag `expected`. */
const sameContent = (deps: Dependencies, file: FolderFile, size: number, expected: string) =>
  file.dandiEtag !== undefined
    ? Effect.map(file.dandiEtag, (local) => local === expected)
    : Effect.scoped(Effect.gen(function*() {
      const verifier = yield* Effect.option(Verifier.make(deps.hasher, size, { "dandi-etag": expected }))
      if (Option.isNone(verifier)) return false
      yield* Stream.runForEachChunk(file.read, (chunks) => verifier.value.feed(Chunk.toReadonlyArray(chunks)))
      return verifier.value.seen() === size && (yield* verifier.value.mismatches).length === 0
    }))

/** Why the file at `file` can stay as it is, per the policy; `undefined` when it must be downloaded. */
const keepExisting = (deps: Dependencies, blob: BlobDownload, file: FolderFile, policy: ExistingPolicy) =>
  Effect.gen(function*() {
    const found = yield* file.existing
    if (Option.isNone(found)) return undefined
    const local = found.value
    switch (policy) {
      case "overwrite":
        return undefined
      case "skip":
        return "already exists"
      case "error":
        return yield* new LocalDataError({
          message: `${file.path} already exists; say what to do with it: --existing (the \`existing\` option) skip, overwrite, overwrite-different or refresh.`,
          path: file.path
        })
      case "refresh":
        return local.isFile && local.size === blob.size && blob.mtime !== undefined && sameInstant(local.mtime, blob.mtime)
          ? "same time and size"
          : undefined
      case "overwrite-different": {
        const remote = blob.digests["dandi-etag"]
        if (!local.isFile || local.size !== blob.size || remote === undefined) return undefined
        return (yield* sameContent(deps, file, blob.size, remote)) ? "same content" : undefined
      }
    }
  })

/** One asset's events; its failures become a Failed event. */
const oneAsset = (
  deps: Dependencies,
  folder: DownloadFolder,
  asset: DownloadableAsset,
  name: string,
  under: string | undefined,
  policy: ExistingPolicy
): Stream.Stream<FolderEvent> => {
  const relativePath = Either.map(AssetPath.safeRelativePath(name), (relative) => under === undefined ? relative : `${under}/${relative}`)
  if (asset.assetType === 2) {
    const downloadZarr = folder.zarr
    if (downloadZarr === undefined) return skipped(name, `zarr assets cannot be downloaded into ${folder.name}`)
    return Either.match(relativePath, {
      onLeft: failed(name),
      onRight: (path) => downloadZarr(asset, name, path, policy)
    })
  }
  const file = Either.flatMap(relativePath, folder.file)
  if (Either.isLeft(file)) return failed(name)(file.left)
  return Stream.unwrap(Effect.gen(function*() {
    const blob = { ...(yield* asset.downloadSpec()), name }
    const reason = yield* keepExisting(deps, blob, file.right, policy)
    return reason === undefined ? deps.toSink(blob, file.right.sink) : skipped(name, reason)
  })).pipe(
    Stream.withSpan("Downloader.toFolder.asset", { attributes: { name } }),
    Stream.catchAll(failed(name))
  )
}

export const toFolder = <A extends DownloadableAsset, E, R>(
  deps: Dependencies,
  listing: Stream.Stream<A, E, R>,
  folder: DownloadFolder,
  options: AssetsOptions<A> & {
    /** A subfolder every asset goes under (`<dandiset id>` for a dandiset). */
    readonly under?: string | undefined
  } = {}
): Stream.Stream<FolderEvent, E, R> =>
  listing.pipe(
    Stream.flatMap(
      (asset) =>
        oneAsset(deps, folder, asset, options.relativePath?.(asset) ?? asset.path, options.under, options.existing ?? "error"),
      { concurrency: Math.max(1, options.jobs ?? 6) }
    )
  )

const yamlHeader = (identifier: string, gui: string | null) =>
  `# DO NOT EDIT THIS FILE LOCALLY. ALL LOCAL UPDATES WILL BE LOST.\n# It can be edited online at ${
    (gui ?? "https://dandiarchive.org").replace(/\/+$/, "")
  }/dandiset/${identifier}\n# and obtained from the dandiarchive.\n`

const loadYaml = Effect.promise(() => import("./dandisetYamlText.js"))

/**
 * `dandiset.yaml` as dandi-cli writes it: its warning header, then the version's raw metadata
 * as block YAML with sorted keys (PyYAML's `safe_dump`), merged over what the file held; mtime
 * the version's `modified`. Unchanged content is left alone.
 */
export const dandisetYaml = (
  deps: Dependencies,
  dandiset: DownloadableDandiset,
  folder: DownloadFolder,
  relativePath: string,
  policy: ExistingPolicy
): Stream.Stream<FolderEvent> => {
  const name = "dandiset.yaml"
  return Stream.unwrap(Effect.gen(function*() {
    const file = yield* folder.file(relativePath)
    const metadata = yield* dandiset.getRawMetadata()
    const modified = new Date((yield* dandiset.version).modified)
    const existing = yield* file.readText
    const YAML = yield* loadYaml
    let merged: Record<string, unknown> = { ...metadata }
    if (Option.isSome(existing)) {
      const old = YAML.parse(existing.value)
      if (YAML.canonical(metadata) === YAML.canonical(old)) return skipped(name, "no change")
      if (policy === "error") {
        return yield* new LocalDataError({
          message: `${file.path} already exists and differs; pass --existing overwrite (or refresh) to replace it.`,
          path: file.path
        })
      }
      if (policy === "skip") return skipped(name, "already exists")
      const local = yield* file.existing
      if (policy === "refresh" && Option.exists(local, (entry) => entry.mtime.getTime() >= modified.getTime())) {
        return skipped(name, "same time or newer")
      }
      if (typeof old === "object" && old !== null) merged = { ...(old as Record<string, unknown>), ...metadata }
    }
    const text = yamlHeader(dandiset.identifier, deps.gui) +
      YAML.render(merged)
    yield* file.writeText(text, modified)
    const size = Utf8.encode(text).length
    return Stream.make<[FolderEvent]>({ _tag: "Completed", name, size, resumedFrom: 0, verified: [] })
  }).pipe(Effect.catchAll((error: DandiError) => Effect.succeed(failed(name)(error)))))
}

/**
 * A dandiset version into `<identifier>/` of the folder: `dandiset.yaml` first (when the whole
 * dandiset is wanted), then its assets (or those under `pathPrefix`, or `listing`).
 */
export const dandiset = <R = never>(
  deps: Dependencies,
  dandiset: DownloadableDandiset,
  folder: DownloadFolder,
  options: DandisetOptions<R> = {}
): Stream.Stream<FolderEvent, DandiError, R> => {
  const prefix = dandiset.identifier
  const whole = options.pathPrefix === undefined && options.listing === undefined
  const listing: Stream.Stream<DownloadableAsset, DandiError, R> = options.listing ??
    (options.pathPrefix === undefined
      ? dandiset.getAssets("path")
      : dandiset.getAssetsWithPathPrefix(options.pathPrefix, "path"))
  const files = toFolder(deps, listing, folder, { ...options, under: prefix })
  return whole
    ? Stream.concat(dandisetYaml(deps, dandiset, folder, `${prefix}/dandiset.yaml`, options.existing ?? "error"), files)
    : files
}
