/**
 * Uploading local files and directory trees to a dandiset's draft, as `dandi upload` does:
 *
 * - Asset paths are the files' POSIX paths relative to `cwd` (the current directory by
 *   default): `cd src && upload . ` puts `src`'s contents at the dandiset root. A path outside
 *   `cwd` is refused.
 * - Directory walks skip hidden names (`.git`, `.DS_Store`, …), `dandiset.yaml` (the dandiset's
 *   own metadata, not an asset) and unfinished downloads (`*.dandidownload`). Symbolic links
 *   are followed (a link to a directory already being walked is skipped, so cycles end).
 * - A Zarr directory (`*.zarr`, `*.ngff`) becomes one zarr asset (ZarrTransfers): an asset
 *   already at its path is synchronised (only entries whose MD5 differs are sent, extras are
 *   deleted) unless the policy is `error` or `skip`.
 * - `existing` decides what happens to a file whose path already holds an asset (dandi-cli's
 *   policies): `error` (the file fails with UploadRefusedError, rule `asset-exists`), `skip`,
 *   `overwrite` (unless the dandi-etag is the same), `refresh` (unless the etag is the same or
 *   the remote blob is at least as new as the file; the default), `force` (always).
 * - Each asset's metadata records the file's mtime as `blobDateModified`, as dandi-cli does:
 *   `refresh` compares against it, and downloads restore it.
 * - `sync` deletes, after every upload succeeded, the remote assets under the given paths that
 *   have no local file.
 *
 * The result is a Stream of events (each file's Uploader events, each file's outcome, each
 * deletion) that the CLI renders as progress bars and a summary. One file's failure is an
 * outcome, not the end: the others still go up.
 *
 * @since 0.1.0
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import type { DandiError } from "@dandi-effect/core/DandiError"
import { LocalDataError, type ObjectTooLargeError, UploadRefusedError } from "@dandi-effect/core/DandiError"
import type { RemoteAsset } from "@dandi-effect/core/RemoteAsset"
import * as Uploader from "@dandi-effect/core/Uploader"
import * as ZarrTransfers from "@dandi-effect/core/ZarrTransfers"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import { readdir, realpath, stat } from "node:fs/promises"
import { isAbsolute, join, relative, resolve, sep } from "node:path"
import { DigestCache } from "./DigestCache.js"
import { HashWorkerPool } from "./HashWorkerPool.js"
import * as LocalZarr from "./LocalZarr.js"
import * as NodeByteSource from "./NodeByteSource.js"
import * as ParallelEtag from "./ParallelEtag.js"

/**
 * @since 0.1.0
 * @category models
 */
export const existingPolicies = ["error", "skip", "overwrite", "refresh", "force"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type ExistingPolicy = typeof existingPolicies[number]

/**
 * @since 0.1.0
 * @category models
 */
export interface LocalUploadOptions {
  readonly dandisetId: string
  /** Files and directories to upload. */
  readonly paths: ReadonlyArray<string>
  /** Asset paths are relative to this directory (default: the current directory). */
  readonly cwd?: string | undefined
  /** Default `refresh`. */
  readonly existing?: ExistingPolicy | undefined
  /** Files uploaded at once (default 5). */
  readonly jobs?: number | undefined
  /** Parts in flight per file (default 5). */
  readonly partJobs?: number | undefined
  /** Delete remote assets under the given paths that have no local file (default false). */
  readonly sync?: boolean | undefined
}

/**
 * A local file and the asset path it becomes.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalFile {
  readonly localPath: string
  readonly assetPath: string
  /** For a zarr: the total size of its files. */
  readonly size: number
  readonly mtimeMs: number
  /** A Zarr directory, uploaded as one zarr asset. */
  readonly zarr?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type FileOutcome = Data.TaggedEnum<{
  Uploaded: { readonly file: LocalFile; readonly result: Uploader.UploadResult }
  ZarrUploaded: { readonly file: LocalFile; readonly result: ZarrTransfers.ZarrUploadResult }
  Skipped: { readonly file: LocalFile; readonly reason: string }
  Failed: { readonly file: LocalFile; readonly error: DandiError }
}>

/**
 * @since 0.1.0
 * @category models
 */
export const FileOutcome = Data.taggedEnum<FileOutcome>()

/**
 * @since 0.1.0
 * @category models
 */
export type LocalUploadEvent = Data.TaggedEnum<{
  /** The files found, before any is sent. */
  Planned: { readonly files: ReadonlyArray<LocalFile>; readonly totalBytes: number }
  /** Progress of one file. */
  File: { readonly file: LocalFile; readonly event: Uploader.UploadEvent }
  /** Progress of one Zarr directory. */
  Zarr: { readonly file: LocalFile; readonly event: ZarrTransfers.ZarrUploadEvent }
  Finished: { readonly outcome: FileOutcome }
  /** `sync`: a remote asset without a local file was deleted. */
  Deleted: { readonly path: string }
}>

/**
 * @since 0.1.0
 * @category models
 */
export const LocalUploadEvent = Data.taggedEnum<LocalUploadEvent>()

const fsError = (path: string) => (error: unknown) => {
  const e = error as { readonly code?: unknown; readonly message?: unknown }
  return new LocalDataError({ message: `Cannot read ${path}: ${String(e?.message ?? error)}`, path, cause: error })
}

const isZarrName = (name: string) => /\.(zarr|ngff)$/i.test(name)

/** Names a directory walk leaves out. */
const skippedName = (name: string) => name.startsWith(".") || name === "dandiset.yaml" || name.endsWith(".dandidownload")


const toAssetPath = (cwd: string, absolute: string): string | undefined => {
  const rel = relative(cwd, absolute)
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined
  return rel.split(sep).join("/")
}

/**
 * The files to upload under `paths`, with their asset paths, in a stable order (sorted by
 * asset path); a Zarr directory is one entry (`zarr: true`). Fails before anything is uploaded
 * on a missing path or a path outside `cwd`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const collectFiles = (
  paths: ReadonlyArray<string>,
  cwd: string = process.cwd()
): Effect.Effect<ReadonlyArray<LocalFile>, LocalDataError | UploadRefusedError> =>
  Effect.gen(function*() {
    const root = resolve(cwd)
    const found = new Map<string, LocalFile>()
    const visiting = new Set<string>()

    const walk = (absolute: string, explicit: boolean): Effect.Effect<void, LocalDataError | UploadRefusedError> =>
      Effect.gen(function*() {
        const assetPath = toAssetPath(root, absolute)
        const info = yield* Effect.tryPromise({ try: () => stat(absolute), catch: fsError(absolute) })
        if (info.isDirectory()) {
          if (assetPath !== undefined && isZarrName(absolute)) {
            const size = yield* Stream.runFold(LocalZarr.files(absolute), 0, (sum, file) => sum + file.size)
            found.set(assetPath, { localPath: absolute, assetPath, size, mtimeMs: info.mtimeMs, zarr: true })
            return
          }
          const real = yield* Effect.tryPromise({ try: () => realpath(absolute), catch: fsError(absolute) })
          // A link back into a directory being walked would never end.
          if (visiting.has(real)) return
          visiting.add(real)
          const entries = yield* Effect.tryPromise({ try: () => readdir(absolute), catch: fsError(absolute) })
          for (const name of entries.sort()) {
            if (skippedName(name)) continue
            yield* walk(join(absolute, name), false)
          }
          visiting.delete(real)
          return
        }
        if (!info.isFile()) {
          if (explicit) {
            return yield* new LocalDataError({ message: `${absolute} is neither a file nor a directory.`, path: absolute })
          }
          return
        }
        if (assetPath === undefined) {
          return yield* new LocalDataError({
            message: `${absolute} is outside ${root}: asset paths are relative to the current directory, so run the upload from the directory that holds the dandiset's files.`,
            path: absolute
          })
        }
        found.set(assetPath, { localPath: absolute, assetPath, size: info.size, mtimeMs: info.mtimeMs })
      })

    for (const path of paths) {
      const absolute = resolve(root, path)
      if (toAssetPath(root, absolute) === undefined && absolute !== root) {
        return yield* new LocalDataError({
          message: `${path} is outside ${root}: asset paths are relative to the current directory, so run the upload from the directory that holds the dandiset's files.`,
          path
        })
      }
      yield* walk(absolute, true)
    }
    return [...found.values()].sort((a, b) => (a.assetPath < b.assetPath ? -1 : a.assetPath > b.assetPath ? 1 : 0))
  })

const remoteEtag = (asset: RemoteAsset): string | undefined => {
  const digest = asset.record.metadata?.digest
  if (typeof digest !== "object" || digest === null) return undefined
  const value = (digest as Record<string, unknown>)["dandi:dandi-etag"]
  return typeof value === "string" ? value : undefined
}

const remoteBlobModified = (asset: RemoteAsset): number | undefined => {
  const value = asset.record.metadata?.blobDateModified
  if (typeof value !== "string") return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

type Decision =
  | { readonly _tag: "Upload"; readonly replacing: string | undefined }
  | { readonly _tag: "Skip"; readonly reason: string }
  | { readonly _tag: "Refuse"; readonly reason: string }

/**
 * What `policy` does with `file` given the asset already at its path (if any) and its local
 * etag (computed only when the policy needs it).
 */
const decide = (
  policy: ExistingPolicy,
  file: LocalFile,
  existing: RemoteAsset | undefined,
  localEtag: Effect.Effect<string, LocalDataError | ObjectTooLargeError>
) =>
  Effect.gen(function*() {
    if (existing === undefined) return { _tag: "Upload", replacing: undefined } as Decision
    const replace: Decision = { _tag: "Upload", replacing: existing.identifier }
    switch (policy) {
      case "error":
        return {
          _tag: "Refuse",
          reason:
            `${file.assetPath} already exists in the draft and the existing policy is "error"; choose skip to keep it, or overwrite, refresh or force to replace it.`
        } as Decision
      case "skip":
        return { _tag: "Skip", reason: "exists" } as Decision
      case "force":
        return replace
      case "overwrite":
      case "refresh": {
        const remote = remoteEtag(existing)
        if (remote !== undefined && remote === (yield* localEtag)) {
          return { _tag: "Skip", reason: "same content" } as Decision
        }
        if (policy === "refresh") {
          const modified = remoteBlobModified(existing)
          if (modified !== undefined && modified >= file.mtimeMs) {
            return { _tag: "Skip", reason: "remote is newer" } as Decision
          }
        }
        return replace
      }
    }
  })

const underAny = (path: string, prefixes: ReadonlyArray<string>) =>
  prefixes.some((prefix) => prefix === "" || path === prefix || path.startsWith(`${prefix}/`))

/**
 * Uploads `options.paths` to the dandiset's draft; see the module comment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const upload = (
  options: LocalUploadOptions
): Stream.Stream<
  LocalUploadEvent,
  DandiError,
  DandiApi | Uploader.Uploader | ZarrTransfers.ZarrTransfers | DigestCache | HashWorkerPool
> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<LocalUploadEvent, DandiError>(256)
    const emit = (event: LocalUploadEvent) => Effect.asVoid(mailbox.offer(event))
    const work = Effect.gen(function*() {
      const cwd = resolve(options.cwd ?? process.cwd())
      const files = yield* collectFiles(options.paths, cwd)
      yield* emit(LocalUploadEvent.Planned({ files, totalBytes: files.reduce((sum, f) => sum + f.size, 0) }))
      const api = yield* DandiApi
      const uploader = yield* Uploader.Uploader
      const cache = yield* DigestCache
      const pool = yield* HashWorkerPool
      // One listing of the draft instead of one path lookup per file.
      const remote = new Map<string, RemoteAsset>()
      yield* api.listAssets(options.dandisetId, "draft").pipe(
        Stream.runForEach((asset) => Effect.sync(() => void remote.set(asset.path, asset)))
      )
      const policy = options.existing ?? "refresh"

      const zarrs = yield* ZarrTransfers.ZarrTransfers
      const oneZarr = (file: LocalFile) =>
        Effect.gen(function*() {
          const existing = remote.get(file.assetPath)
          if (existing !== undefined && policy === "skip") return FileOutcome.Skipped({ file, reason: "exists" })
          if (existing !== undefined && policy === "error") {
            return FileOutcome.Failed({
              file,
              error: new UploadRefusedError({
                message: `${file.assetPath} already exists in the draft; pass --existing skip, overwrite, refresh or force to say what to do with it`,
                path: file.assetPath,
                rule: "asset-exists"
              })
            })
          }
          const result = yield* zarrs.uploadZarr({
            dandisetId: options.dandisetId,
            path: file.assetPath,
            source: yield* LocalZarr.source(file.localPath),
            replacing: existing,
            jobs: options.partJobs
          }, (event) => emit(LocalUploadEvent.Zarr({ file, event })))
          return FileOutcome.ZarrUploaded({ file, result })
        })

      const one = (file: LocalFile) =>
        Effect.gen(function*() {
          if (file.zarr === true) return yield* oneZarr(file)
          // The etag from the digest cache when it has it (then the parts are hashed while they
          // are sent: one read of the file); otherwise hashed once on the worker pool, keeping the
          // part MD5s so that the upload does not hash its parts again.
          let hashedHere = false
          const digests = yield* Effect.cached(
            ParallelEtag.digestsOfFileWith(pool, file.localPath).pipe(Effect.tap(() => Effect.sync(() => void (hashedHere = true))))
          )
          const etag = cache.cached(file.localPath, "dandi-etag", Effect.map(digests, (d) => d.etag))
          const uploadDigests = Effect.flatMap(
            etag,
            (known): Effect.Effect<Uploader.SourceDigests, LocalDataError | ObjectTooLargeError> =>
              hashedHere ? digests : Effect.succeed({ etag: known, parts: [] })
          )
          const decision = yield* decide(policy, file, remote.get(file.assetPath), etag)
          if (decision._tag === "Skip") return FileOutcome.Skipped({ file, reason: decision.reason })
          if (decision._tag === "Refuse") {
            return FileOutcome.Failed({
              file,
              error: new UploadRefusedError({ message: decision.reason, path: file.assetPath, rule: "asset-exists" })
            })
          }
          const source = yield* NodeByteSource.fromPath(file.localPath, file.assetPath)
          const result = yield* uploader.uploadBlob({
            dandisetId: options.dandisetId,
            source,
            path: file.assetPath,
            // As dandi-cli records it: `refresh` compares it with the local mtime next time, and
            // downloads give the file this mtime back.
            metadata: { blobDateModified: new Date(file.mtimeMs).toISOString() },
            replacing: decision.replacing,
            digests: uploadDigests,
            partConcurrency: options.partJobs
          }, (event) => emit(LocalUploadEvent.File({ file, event })))
          return FileOutcome.Uploaded({ file, result })
        }).pipe(
          Effect.catchAll((error) => Effect.succeed(FileOutcome.Failed({ file, error }))),
          Effect.tap((outcome) => emit(LocalUploadEvent.Finished({ outcome })))
        )

      const outcomes = yield* Effect.forEach(files, one, { concurrency: Math.max(1, options.jobs ?? 5) })
      if (options.sync === true && outcomes.every((o) => o._tag !== "Failed")) {
        const local = new Set(files.map((f) => f.assetPath))
        const prefixes = options.paths.map((p) => toAssetPath(cwd, resolve(cwd, p)) ?? "")
        for (const [path, asset] of remote) {
          if (local.has(path) || !underAny(path, prefixes)) continue
          yield* api.deleteAsset(options.dandisetId, "draft", asset.identifier)
          yield* emit(LocalUploadEvent.Deleted({ path }))
        }
      }
    })
    yield* work.pipe(Mailbox.into(mailbox), Effect.forkScoped)
    return Mailbox.toStream(mailbox)
  }))
