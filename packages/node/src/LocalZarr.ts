/**
 * A Zarr (or any directory) on local disk: its files as a Stream, and its dandi-zarr-checksum.
 * Names dandi-cli excludes from Zarrs (`.dandi`, `.datalad`, `.git`, `.gitattributes`,
 * `.gitmodules`) are skipped at any depth; empty directories contribute nothing by construction.
 *
 * @since 0.1.0
 */
import * as AssetPath from "@dandi-effect/core/AssetPath"
import type { ByteSink } from "@dandi-effect/core/ByteSink"
import { LocalDataError } from "@dandi-effect/core/DandiError"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import type { LocalZarrFile as ZarrFile, LocalZarrSource, LocalZarrTarget } from "@dandi-effect/core/ZarrTransfers"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { Dirent } from "node:fs"
import { createReadStream } from "node:fs"
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import * as NodeFileSink from "./NodeFileSink.js"
import { fileError, HashWorkerPool } from "./HashWorkerPool.js"
import * as NodeHasher from "./NodeHasher.js"

/**
 * Names never part of a Zarr (spec §6.1).
 *
 * @since 0.1.0
 * @category constants
 */
export const excludedNames: ReadonlySet<string> = new Set([".dandi", ".datalad", ".git", ".gitattributes", ".gitmodules"])

/**
 * A file of a local Zarr: its path inside the Zarr (`/`-separated) and on disk, and its size.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalZarrFile {
  /** Path below the Zarr root, `/`-separated whatever the platform. */
  readonly path: string
  readonly absolutePath: string
  readonly size: number
}

const ioError = (path: string) => (error: unknown): LocalDataError => {
  const e = error as { readonly code?: unknown; readonly message?: unknown }
  return fileError(path, String(e?.code ?? ""), String(e?.message ?? error))
}

interface WalkEntry {
  readonly path: string
  readonly absolutePath: string
  /** Known only when a symbolic link had to be followed; otherwise -1 (not statted). */
  readonly size: number
}

async function* walkFrom(root: string): AsyncGenerator<Array<WalkEntry>> {
  // Depth-first with an explicit stack (no recursion limit); yields each directory's files as
  // one array so that per-file work stays out of the Stream machinery.
  const stack: Array<string> = [""]
  while (stack.length > 0) {
    const found: Array<WalkEntry> = []
    const relative = stack.pop()!
    const absolute = relative === "" ? root : join(root, relative)
    let entries: Array<Dirent>
    try {
      entries = await readdir(absolute, { withFileTypes: true })
    } catch (error) {
      throw ioError(absolute)(error)
    }
    for (const entry of entries) {
      if (excludedNames.has(entry.name)) continue
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`
      const absolutePath = join(absolute, entry.name)
      if (entry.isDirectory()) stack.push(path)
      else if (entry.isFile()) found.push({ path, absolutePath, size: -1 })
      else if (entry.isSymbolicLink()) {
        // Links are followed, so a Zarr assembled from links checksums like the files it points to.
        const target = await stat(absolutePath).catch(ioError(absolutePath))
        if (target instanceof LocalDataError) throw target
        if (target.isDirectory()) stack.push(path)
        else if (target.isFile()) found.push({ path, absolutePath, size: target.size })
      }
    }
    if (found.length > 0) yield found
  }
}

const walk = (root: string): Stream.Stream<Array<WalkEntry>, LocalDataError> =>
  // Suspended so that every run of the Stream starts a fresh walk.
  Stream.suspend(() =>
    Stream.fromAsyncIterable(walkFrom(root), (error) => error instanceof LocalDataError ? error : ioError(root)(error))
  )

/**
 * Every file of the directory tree at `root` with its size, in no particular order (for listing
 * and uploads; `checksum` below walks on the worker pool instead).
 *
 * @since 0.1.0
 * @category constructors
 */
export const files = (root: string): Stream.Stream<LocalZarrFile, LocalDataError> =>
  walk(root).pipe(
    Stream.flattenIterables,
    Stream.mapEffect((entry) =>
      entry.size >= 0
        ? Effect.succeed(entry)
        : Effect.tryPromise({ try: () => stat(entry.absolutePath), catch: ioError(entry.absolutePath) }).pipe(
          Effect.map((info) => ({ ...entry, size: info.size }))
        ), { concurrency: 16 })
  )

/** Files hashed per worker message: amortises the round trip over many small chunks. */
const HASH_BATCH = 256

/**
 * The dandi-zarr-checksum of the directory at `root`. Directories are listed on the worker pool,
 * which also hashes up to a batch of each directory's files in the same message; larger
 * directories are split into batches spread over all workers. Results are folded into the
 * checksum tree as they arrive, so memory holds the tree, not the file contents.
 *
 * @since 0.1.0
 * @category digests
 */
export const checksum: (
  root: string
) => Effect.Effect<ZarrChecksum.ZarrChecksum, LocalDataError | ZarrChecksum.DuplicateZarrEntry, HashWorkerPool> = Effect
  .fn("LocalZarr.checksum")(function*(root: string) {
    const pool = yield* HashWorkerPool
    const tree = new ZarrChecksum.Tree()
    const options = { excluded: [...excludedNames], hashLimit: HASH_BATCH, algorithm: "md5" as const }
    const below = (relative: string, name: string) => relative === "" ? name : `${relative}/${name}`

    const hashRest = (relative: string, absolute: string, names: ReadonlyArray<string>) => {
      const batches: Array<ReadonlyArray<string>> = []
      for (let i = 0; i < names.length; i += HASH_BATCH) batches.push(names.slice(i, i + HASH_BATCH))
      return Effect.forEach(batches, (batch) =>
        pool.hash(batch.map((name) => ({ path: join(absolute, name), offset: 0, length: -1, algorithm: "md5" })))
          .pipe(Effect.map((digests) => {
            // Sizes come from the bytes each worker read, so digest and size describe the same bytes.
            batch.forEach((name, i) => tree.add({ path: below(relative, name), size: digests[i]!.bytes, digest: digests[i]!.digest }))
          })), { concurrency: pool.workers * 2, discard: true })
    }

    // Breadth-first, one level at a time: a bounded number of fibers however many directories
    // there are, and enough listings in flight to keep every worker busy.
    let level: Array<string> = [""]
    while (level.length > 0) {
      const next: Array<string> = []
      yield* Effect.forEach(level, (relative) => {
        const absolute = relative === "" ? root : join(root, relative)
        return Effect.flatMap(pool.scan(absolute, options), (listing) => {
          for (const [name, size, digest] of listing.hashed) tree.add({ path: below(relative, name), size, digest })
          for (const name of listing.dirs) next.push(below(relative, name))
          return hashRest(relative, absolute, listing.rest)
        })
      }, { concurrency: pool.workers * 2, discard: true })
      level = next
    }
    const checksums = yield* tree.checksums(NodeHasher.make)
    return checksums.get("")!
  })

/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ_LIMIT = 8 << 20
/** Files hashed per worker message. */
const MD5_BATCH = 64

const md5With = (pool: typeof HashWorkerPool.Service, root: string) =>
(files: ReadonlyArray<ZarrFile>): Effect.Effect<ReadonlyArray<string>, LocalDataError> => {
  const batches: Array<ReadonlyArray<ZarrFile>> = []
  for (let i = 0; i < files.length; i += MD5_BATCH) batches.push(files.slice(i, i + MD5_BATCH))
  return Effect.map(
    Effect.forEach(batches, (batch) =>
      pool.hash(batch.map((file) => ({
        path: join(root, ...file.path.split("/")),
        offset: 0,
        length: -1,
        algorithm: "md5" as const
      }))), { concurrency: pool.workers }),
    (results) => results.flatMap((digests) => digests.map((d) => d.digest))
  )
}

const readWhole = (path: string, size: number): Stream.Stream<Uint8Array, LocalDataError> =>
  size <= WHOLE_READ_LIMIT
    ? Stream.fromEffect(Effect.tryPromise({
      try: async () => new Uint8Array(await readFile(path)),
      catch: ioError(path)
    }))
    : Stream.suspend(() =>
      Stream.fromAsyncIterable(
        createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
        ioError(path)
      )
    )

/**
 * A directory as the source of a zarr upload: its files (excluded names left out), their MD5s
 * on the worker pool, their bytes read afresh for every attempt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const source = (root: string): Effect.Effect<LocalZarrSource, never, HashWorkerPool> =>
  Effect.map(HashWorkerPool, (pool) => ({
    name: root,
    files: Stream.map(files(root), (file): ZarrFile => ({ path: file.path, size: file.size })),
    md5: md5With(pool, root),
    read: (file) => readWhole(join(root, ...file.path.split("/")), file.size)
  }))

/** Entries up to this size are gathered in memory and written once verified; larger ones resume on disk. */
const SMALL_ENTRY = 8 << 20

let tempCounter = 0

const errorCode = (error: unknown): unknown => (error as { readonly code?: unknown } | undefined)?.code

/** Writes `temporary`, creating its directory only when it is missing (one call per entry, not two). */
const writeCreatingDirectory = async (temporary: string, bytes: Uint8Array | ReadonlyArray<Uint8Array>) => {
  try {
    await writeFile(temporary, bytes)
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error
    await mkdir(dirname(temporary), { recursive: true })
    await writeFile(temporary, bytes)
  }
}

/** Renames over `target`; a directory in the way (the archive's layout wins) is removed first. */
const renameOver = async (temporary: string, target: string) => {
  try {
    await rename(temporary, target)
  } catch (error) {
    const code = errorCode(error)
    if (code !== "EISDIR" && code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw error
    if ((await stat(target).catch(() => undefined))?.isDirectory() !== true) throw error
    await rm(target, { recursive: true, force: true })
    await rename(temporary, target)
  }
}

/**
 * A sink for a small entry: the bytes are kept in memory until the Downloader has verified
 * them, then written to a temporary name beside the target and renamed over it, so a file at
 * the target is always complete. Two file-system calls per entry in the common case (the
 * directory is created, and a directory in the way removed, only when the first attempt says so)
 * instead of a resume directory's dozen; an interrupted small entry is simply fetched again, and
 * a temporary file it left is an extra that the next download removes.
 */
const smallEntrySink = (target: string, fallback: ByteSink): ByteSink => ({
  name: target,
  open: (expected) => {
    if (expected.size > SMALL_ENTRY) return fallback.open(expected)
    let chunks: Array<Uint8Array> = []
    return Effect.succeed({
      held: 0,
      write: (chunk: Uint8Array) => Effect.sync(() => void chunks.push(chunk)),
      readHeld: () => Stream.empty,
      reset: Effect.sync(() => {
        chunks = []
      }),
      commit: (options: { readonly mtime?: Date | undefined }) =>
        Effect.tryPromise({
          try: async () => {
            const temporary = `${target}.${process.pid}-${tempCounter++}.dandipart`
            try {
              await writeCreatingDirectory(temporary, chunks.length === 1 ? chunks[0]! : chunks)
              await renameOver(temporary, target)
            } catch (error) {
              await unlink(temporary).catch(() => undefined)
              throw error
            }
            if (options.mtime !== undefined) await utimes(target, new Date(), options.mtime)
            chunks = []
          },
          catch: ioError(target)
        })
    })
  }
})

const unsafeSink = (path: string, message: string): ByteSink => ({
  name: path,
  open: () => Effect.fail(new LocalDataError({ message, path }))
})

/**
 * A directory as the target of a zarr download: each entry through a resumable NodeFileSink;
 * extras unlinked and the directories they leave empty removed. An entry key that would leave
 * the directory (`..`, absolute, backslash) is refused when its sink opens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const target = (root: string): Effect.Effect<LocalZarrTarget, never, HashWorkerPool> =>
  Effect.map(HashWorkerPool, (pool) => ({
    name: root,
    // A target that does not exist yet simply holds nothing.
    files: Stream.unwrap(Effect.map(
      Effect.promise(() => stat(root).then((info) => info.isDirectory(), () => false)),
      (exists) => exists ? Stream.map(files(root), (file): ZarrFile => ({ path: file.path, size: file.size })) : Stream.empty
    )),
    md5: md5With(pool, root),
    sink: (path) =>
      Either.match(AssetPath.safeRelativePath(path), {
        onLeft: (error) => unsafeSink(path, `${error.message}; the zarr entry was not written.`),
        onRight: (relative) => {
          const absolute = join(root, ...relative.split("/"))
          return smallEntrySink(absolute, NodeFileSink.make(absolute))
        }
      }),
    remove: (paths) =>
      Effect.gen(function*() {
        const parents = new Set<string>()
        yield* Effect.forEach(paths, (path) => {
          const absolute = join(root, ...path.split("/"))
          for (let dir = dirname(path); dir !== "." && dir !== ""; dir = dirname(dir)) parents.add(dir)
          // Already gone is as good as removed.
          return Effect.tryPromise({
            try: () => unlink(absolute).catch((error: NodeJS.ErrnoException) => error.code === "ENOENT" ? undefined : Promise.reject(error)),
            catch: ioError(absolute)
          })
        }, { concurrency: 16, discard: true })
        // Deepest first, so a parent is tried after its children; a directory still holding files stays.
        const ordered = [...parents].sort((a, b) => b.split("/").length - a.split("/").length)
        for (const dir of ordered) {
          yield* Effect.promise(() => rmdir(join(root, ...dir.split("/"))).catch(() => undefined))
        }
      })
  }))
