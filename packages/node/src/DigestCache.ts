/**
 * A persistent cache of local file digests, so that re-uploads and `--existing
 * overwrite-different` do not re-hash unchanged files.
 *
 * An entry is keyed by the file's identity (device and inode), and valid while its size and
 * mtime (nanoseconds) are unchanged. Keying on the inode rather than the path (as dandi-cli's
 * fscacher does) keeps entries valid across a rename within a file system, and bounds the cache
 * to one entry per file and algorithm: a modified file overwrites its own entry.
 *
 * Each entry is one small file written to a unique temporary name and renamed into place, so
 * concurrent processes never see a partial entry; the last writer wins, and every writer stores
 * a correct digest. Reading or writing the cache never fails an operation: a broken cache only
 * costs a re-hash.
 *
 * Environment: `DANDI_CACHE_DIR` (else `$XDG_CACHE_HOME/dandi-effect`, else
 * `~/.cache/dandi-effect`); `DANDI_CACHE=ignore` disables reads and writes, `DANDI_CACHE=clear`
 * wipes the digests when the layer is built.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises"
import type { BigIntStats } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"

/**
 * What the DigestCache service offers.
 *
 * @since 0.1.0
 * @category models
 */
export interface DigestCacheShape {
  /** The cached digest of `path` for `algorithm`, or `compute`'s result (stored if the file did not change meanwhile). */
  readonly cached: <E, R>(
    path: string,
    algorithm: string,
    compute: Effect.Effect<string, E, R>
  ) => Effect.Effect<string, E, R>
  /** Where entries live; None when the cache is disabled. */
  readonly directory: Option.Option<string>
}

/**
 * The digest cache, keyed by path, algorithm and the file's size, mtime and inode.
 *
 * @since 0.1.0
 * @category tags
 */
export class DigestCache extends Context.Tag("@dandi-effect/node/DigestCache")<DigestCache, DigestCacheShape>() {}

interface Entry {
  readonly size: string
  readonly mtimeNs: string
  readonly digest: string
}

const FORMAT = "v1"

const statQuietly = (path: string): Effect.Effect<Option.Option<BigIntStats>> =>
  Effect.promise(() => stat(path, { bigint: true }).then(Option.some, () => Option.none()))

const sameVersion = (a: BigIntStats, b: BigIntStats) =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs

/**
 * The disabled cache: always computes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const disabled: DigestCacheShape = { cached: (_path, _algorithm, compute) => compute, directory: Option.none() }

/**
 * A cache rooted at `root` (entries under `root/digests/v1`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (root: string): DigestCacheShape => {
  const base = join(root, "digests", FORMAT)
  // Sharding by the low inode bits keeps directories small when a Zarr has millions of files.
  const entryPath = (info: BigIntStats, algorithm: string) =>
    join(base, algorithm, info.dev.toString(), (info.ino % 256n).toString(16).padStart(2, "0"), info.ino.toString())

  const lookup = (info: BigIntStats, algorithm: string): Effect.Effect<Option.Option<string>> =>
    Effect.promise(async () => {
      try {
        const entry = JSON.parse(await readFile(entryPath(info, algorithm), "utf8")) as Partial<Entry>
        return entry.size === info.size.toString() && entry.mtimeNs === info.mtimeNs.toString() &&
            typeof entry.digest === "string"
          ? Option.some(entry.digest)
          : Option.none()
      } catch {
        return Option.none()
      }
    })

  const store = (info: BigIntStats, algorithm: string, digest: string): Effect.Effect<void> =>
    Effect.promise(async () => {
      const target = entryPath(info, algorithm)
      const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
      const entry: Entry = { size: info.size.toString(), mtimeNs: info.mtimeNs.toString(), digest }
      try {
        await mkdir(dirname(target), { recursive: true })
        await writeFile(temporary, JSON.stringify(entry))
        await rename(temporary, target)
      } catch {
        await unlink(temporary).catch(() => undefined)
      }
    })

  return {
    directory: Option.some(root),
    cached: (path, algorithm, compute) =>
      Effect.gen(function*() {
        const before = yield* statQuietly(path)
        if (Option.isNone(before) || !before.value.isFile()) return yield* compute
        const hit = yield* lookup(before.value, algorithm)
        if (Option.isSome(hit)) return hit.value
        const digest = yield* compute
        const after = yield* statQuietly(path)
        // A file written to while it was hashed may have produced a digest of neither version.
        if (Option.isSome(after) && sameVersion(before.value, after.value)) yield* store(after.value, algorithm, digest)
        return digest
      }).pipe(Effect.withSpan("DigestCache.cached", { attributes: { algorithm } }))
  }
}

/**
 * Remove every cached digest under `root`.
 *
 * @since 0.1.0
 * @category utils
 */
export const clear = (root: string): Effect.Effect<void> =>
  Effect.promise(() => rm(join(root, "digests"), { recursive: true, force: true }))

/**
 * The disabled cache as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDisabled: Layer.Layer<DigestCache> = Layer.succeed(DigestCache, disabled)

/**
 * A cache rooted at `root`, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAt = (root: string): Layer.Layer<DigestCache> => Layer.succeed(DigestCache, make(root))

// An empty variable counts as unset, as shells commonly leave them.
const optionalPath = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value !== "")))

/**
 * The cache directory the environment selects (see the module comment).
 *
 * @since 0.1.0
 * @category config
 */
export const directoryConfig: Config.Config<string> = Config.all({
  explicit: optionalPath("DANDI_CACHE_DIR"),
  xdg: optionalPath("XDG_CACHE_HOME")
}).pipe(Config.map(({ explicit, xdg }) =>
  Option.getOrElse(explicit, () => join(Option.getOrElse(xdg, () => join(homedir(), ".cache")), "dandi-effect"))
))

/**
 * The cache as the environment configures it (`DANDI_CACHE`, `DANDI_CACHE_DIR`, XDG).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DigestCache> = Layer.effect(
  DigestCache,
  Effect.gen(function*() {
    const mode = yield* Config.string("DANDI_CACHE").pipe(Config.withDefault(""))
    if (mode === "ignore") return disabled
    const root = yield* directoryConfig
    if (mode === "clear") yield* clear(root)
    return make(root)
  }).pipe(Effect.orDie)
)
