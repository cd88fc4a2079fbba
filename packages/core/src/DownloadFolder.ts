/**
 * Where a folder or whole-dandiset download goes, and what it reports: the Downloader's
 * `toFolder` and `dandiset` write through this interface, so the same pipeline (dandi-cli's
 * layout, `existing` policies, bounded file concurrency, `dandiset.yaml`, refused unsafe paths)
 * runs on Node (`NodeDownload.folder(dir)`: files with a resumable working area), in browsers and
 * in tests (`DownloadFolder.memory()`).
 *
 * ```ts
 * const downloader = yield* Downloader
 * const memory = yield* DownloadFolder.memory()
 * yield* downloader.dandiset(dandiset, memory.folder, { existing: "refresh", jobs: 4 }).pipe(
 *   Stream.scan(DownloadFolder.emptyTotals, DownloadFolder.tally),     // combined progress
 *   Stream.runForEach(render)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ByteSink from "./ByteSink.js"
import type { DandiError } from "./DandiError.js"
import { LocalDataError } from "./DandiError.js"
import type { UnsafePathError } from "./DandiError.js"
import type { DownloadableAsset, DownloadableZarr, DownloadEvent } from "./internal/download/model.js"
import * as Utf8 from "./internal/utf8.js"

/**
 * What to do with a file that is already there (dandi-cli's `--existing`).
 *
 * @since 0.1.0
 * @category models
 */
export type ExistingPolicy = "error" | "skip" | "overwrite" | "overwrite-different" | "refresh"

/**
 * @since 0.1.0
 * @category constants
 */
export const existingPolicies: ReadonlyArray<ExistingPolicy> = ["error", "skip", "overwrite", "overwrite-different", "refresh"]

/**
 * A download event, or what happened instead of a download.
 *
 * @since 0.1.0
 * @category models
 */
export type FolderEvent =
  | DownloadEvent
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
 * Options of `Downloader.toFolder`, over the assets it is given (the SDK's asset records, or
 * anything with what `DownloadableAsset` lists).
 *
 * @since 0.1.0
 * @category models
 */
export interface AssetsOptions<A extends DownloadableAsset = DownloadableAsset> extends FolderOptions {
  /** Where each asset goes inside the folder (its asset path by default); also its name in events. */
  readonly relativePath?: ((asset: A) => string) | undefined
}

/**
 * Options of `Downloader.dandiset`; `R` is what a `listing` of its own needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface DandisetOptions<R = never> extends FolderOptions {
  /** Only the assets under this path prefix (no dandiset.yaml then). */
  readonly pathPrefix?: string | undefined
  /** Only these assets (no dandiset.yaml then). */
  readonly listing?: Stream.Stream<DownloadableAsset, DandiError, R> | undefined
}

/**
 * What is already at a path.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalEntry {
  readonly size: number
  readonly mtime: Date
  /** False for a directory (or anything else that is not a regular file). */
  readonly isFile: boolean
}

/**
 * One path of a folder.
 *
 * @since 0.1.0
 * @category models
 */
export interface FolderFile {
  /** For messages: the full local path. */
  readonly path: string
  /** Where a download of this path writes (resumable, committed only when verified). */
  readonly sink: ByteSink.ByteSink
  /** What is at the path now, if anything. */
  readonly existing: Effect.Effect<Option.Option<LocalEntry>, LocalDataError>
  /** The bytes at the path (for `overwrite-different` to compare content). */
  readonly read: Stream.Stream<Uint8Array, LocalDataError>
  /** The dandi-etag of the bytes at the path, when the platform computes it faster than `read` would. */
  readonly dandiEtag?: Effect.Effect<string, LocalDataError> | undefined
  /** The text at the path, if there is a file. */
  readonly readText: Effect.Effect<Option.Option<string>, LocalDataError>
  /** Writes a small text file whole (`dandiset.yaml`), with `mtime`. */
  readonly writeText: (text: string, mtime: Date) => Effect.Effect<void, LocalDataError>
}

/**
 * A folder downloads are written into. `file` receives paths that already passed the archive's
 * path-safety rules (AssetPath.safeRelativePath, `/`-separated, relative); it refuses any the
 * platform would still resolve outside the folder.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadFolder {
  /** For messages: the folder's location. */
  readonly name: string
  readonly file: (relativePath: string) => Either.Either<FolderFile, UnsafePathError>
  /**
   * Downloads a zarr asset as the directory at `relativePath` (already safe, as for `file`),
   * its events named `name/<key>`. A folder without it reports zarr assets as skipped: a zarr is
   * a tree of entries that only a platform with directories (Node's `NodeDownload.folder`) holds.
   */
  readonly zarr?:
    | ((asset: DownloadableZarr, name: string, relativePath: string, policy: ExistingPolicy) => Stream.Stream<FolderEvent>)
    | undefined
}

/**
 * Running totals over a folder download's events (fold them with `Stream.scan`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Totals {
  /** Files started, completed, skipped and failed so far. */
  readonly started: number
  readonly completed: number
  readonly skipped: number
  readonly failed: number
  /** Bytes held, received or verified so far, over the files started. */
  readonly bytesDone: number
  /** The sizes of the files started. */
  readonly bytesStarted: number
  /** Bytes done of each file in flight, by name. */
  readonly inFlight: ReadonlyMap<string, number>
}

/**
 * @since 0.1.0
 * @category constants
 */
export const emptyTotals: Totals = {
  started: 0,
  completed: 0,
  skipped: 0,
  failed: 0,
  bytesDone: 0,
  bytesStarted: 0,
  inFlight: new Map()
}

/**
 * Adds one event to the totals; files running at once add up.
 *
 * @since 0.1.0
 * @category combinators
 */
export const tally = (totals: Totals, event: FolderEvent): Totals => {
  const inFlight = new Map(totals.inFlight)
  const before = inFlight.get(event.name) ?? 0
  const moveTo = (done: number): Totals => {
    inFlight.set(event.name, done)
    return { ...totals, bytesDone: totals.bytesDone + done - before, inFlight }
  }
  switch (event._tag) {
    case "Started":
      return { ...moveTo(event.resumedFrom), started: totals.started + 1, bytesStarted: totals.bytesStarted + event.size }
    case "Progress":
      return moveTo(event.done)
    case "Restarted":
      return moveTo(0)
    case "Completed":
      inFlight.delete(event.name)
      return { ...totals, completed: totals.completed + 1, bytesDone: totals.bytesDone - before + event.size, inFlight }
    case "Failed":
      inFlight.delete(event.name)
      return { ...totals, failed: totals.failed + 1, bytesDone: totals.bytesDone - before, inFlight }
    case "Skipped":
      return { ...totals, skipped: totals.skipped + 1 }
    case "Retrying":
      return totals
  }
}

/**
 * A folder in memory, plus a view of the files it holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryFolder {
  readonly folder: DownloadFolder
  /** Committed files by relative path. */
  readonly files: Effect.Effect<ReadonlyMap<string, { readonly bytes: Uint8Array; readonly mtime: Date }>>
  /** Places a file as if it had been there before (for `existing` policies). */
  readonly put: (relativePath: string, bytes: Uint8Array, mtime: Date) => Effect.Effect<void>
  /** The most sinks open at once so far (each download holds one while it runs). */
  readonly mostOpenAtOnce: Effect.Effect<number>
}

/**
 * A DownloadFolder in memory (browsers without a file system, tests). Partial downloads are kept
 * per path across opens, as a file folder keeps them across runs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memory = (name = "memory"): Effect.Effect<MemoryFolder> =>
  Effect.gen(function*() {
    const files = yield* Ref.make(new Map<string, { readonly bytes: Uint8Array; readonly mtime: Date }>())
    const sinks = new Map<string, ByteSink.MemorySink>()
    const open = yield* Ref.make({ now: 0, most: 0 })
    const put = (path: string, bytes: Uint8Array, mtime: Date) =>
      Ref.update(files, (all) => new Map(all).set(path, { bytes, mtime }))
    const memorySink = (path: string) =>
      Effect.gen(function*() {
        const found = sinks.get(path)
        if (found !== undefined) return found
        const made = yield* ByteSink.memory(path)
        sinks.set(path, made)
        return made
      })
    const sink = (path: string): ByteSink.ByteSink => ({
      name: path,
      open: (expected): Effect.Effect<ByteSink.SinkSession, LocalDataError, Scope.Scope> =>
        Effect.gen(function*() {
          const inner = yield* memorySink(path)
          yield* Effect.acquireRelease(
            Ref.update(open, ({ most, now }) => ({ now: now + 1, most: Math.max(most, now + 1) })),
            () => Ref.update(open, ({ most, now }) => ({ now: now - 1, most }))
          )
          const session = yield* inner.sink.open(expected)
          return {
            ...session,
            commit: (options) =>
              Effect.gen(function*() {
                yield* session.commit(options)
                const bytes = Option.getOrElse(yield* inner.committed, () => new Uint8Array(0))
                yield* put(path, bytes, options.mtime ?? new Date())
              })
          }
        })
    })
    const file = (relativePath: string): FolderFile => {
      const entry = Effect.map(Ref.get(files), (all) => Option.fromNullable(all.get(relativePath)))
      return {
        path: `${name}/${relativePath}`,
        sink: sink(relativePath),
        existing: Effect.map(entry, Option.map(({ bytes, mtime }) => ({ size: bytes.length, mtime, isFile: true }))),
        read: Stream.unwrap(Effect.map(entry, Option.match({
          onNone: () =>
            Stream.fail(new LocalDataError({ message: `${name}/${relativePath} does not exist.`, path: relativePath })),
          onSome: ({ bytes }) => Stream.make(bytes)
        }))),
        readText: Effect.map(entry, Option.map(({ bytes }) => Utf8.decode(bytes))),
        writeText: (text, mtime) => put(relativePath, Utf8.encode(text), mtime)
      }
    }
    return {
      folder: { name, file: (relativePath) => Either.right(file(relativePath)) },
      files: Ref.get(files),
      put,
      mostOpenAtOnce: Effect.map(Ref.get(open), ({ most }) => most)
    }
  })
