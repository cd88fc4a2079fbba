/**
 * Digests of local paths, as `dandi digest` computes them: files default to the dandi-etag,
 * directories to the dandi-zarr-checksum. A zarr-checksum of a file is refused (dandi-cli's
 * `get_zarr_checksum` quietly returns the file's MD5 instead). Whole-file digests go through the
 * DigestCache.
 *
 * @since 0.1.0
 */
import { LocalDataError } from "@dandi-effect/core/DandiError"
import type { ObjectTooLargeError } from "@dandi-effect/core/DandiError"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import type { DigestAlgorithm } from "@dandi-effect/core/Digest"
import { Hasher } from "@dandi-effect/core/Hasher"
import type { HashAlgorithm } from "@dandi-effect/core/Hasher"
import type { DuplicateZarrEntry } from "@dandi-effect/core/ZarrChecksum"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash } from "node:crypto"
import { readFile, stat } from "node:fs/promises"
import { DigestCache } from "./DigestCache.js"
import * as DigestCacheModule from "./DigestCache.js"
import { fileError, HashWorkerPool } from "./HashWorkerPool.js"
import * as HashWorkerPoolModule from "./HashWorkerPool.js"
import * as LocalZarr from "./LocalZarr.js"
import * as NodeHasher from "./NodeHasher.js"
import * as ParallelEtag from "./ParallelEtag.js"

/**
 * Files up to this size are hashed on the calling thread. Starting a worker thread costs
 * 40–190 ms (quiet to loaded machine) before it hashes anything, while MD5 on the main thread runs
 * at ≈ 400 MiB/s: 16 MiB hash in ≈ 40 ms, less than a worker takes to start. `digest` of a small
 * file then starts no thread at all (docs/BENCHMARKS.md, "startup").
 *
 * @since 0.1.0
 * @category digests
 */
export const MAIN_THREAD_LIMIT = 16 * 2 ** 20

const readWhole = (path: string): Effect.Effect<Buffer, LocalDataError> =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (error) => {
      const e = error as { readonly code?: unknown; readonly message?: unknown }
      return fileError(path, String(e?.code ?? ""), String(e?.message ?? error))
    }
  })

/** The digest of a small file read whole on the calling thread (see MAIN_THREAD_LIMIT). */
const ofSmallFile = (path: string, algorithm: Exclude<DigestAlgorithm, "zarr-checksum">) =>
  Effect.flatMap(readWhole(path), (bytes) => {
    if (algorithm !== "dandi-etag") return Effect.succeed(createHash(algorithm).update(bytes).digest("hex"))
    return Effect.flatMap(DandiEtag.plan(bytes.length), (plan) =>
      DandiEtag.fromPartDigests(
        plan.partCount,
        Array.from(plan.parts(), (part) =>
          new DandiEtag.PartDigest({
            partNumber: part.number,
            md5: new Uint8Array(createHash("md5").update(bytes.subarray(part.offset, part.offset + part.size)).digest())
          }))
      )).pipe(Effect.provideService(Hasher, NodeHasher.make))
  })

/**
 * Every way `ofPath` can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type PathDigestError = LocalDataError | ObjectTooLargeError | DuplicateZarrEntry

/**
 * A plain digest of a whole file, hashed on the worker pool.
 *
 * @since 0.1.0
 * @category digests
 */
export const plainOfFile = (path: string, algorithm: HashAlgorithm): Effect.Effect<string, LocalDataError, HashWorkerPool> =>
  Effect.flatMap(HashWorkerPool, (pool) => pool.hash([{ path, offset: 0, length: -1, algorithm }])).pipe(
    Effect.map(([result]) => result!.digest)
  )

const ofFile = (path: string, size: number, algorithm: Exclude<DigestAlgorithm, "zarr-checksum">) =>
  Effect.flatMap(DigestCache, (cache) =>
    cache.cached(
      path,
      algorithm,
      size <= MAIN_THREAD_LIMIT
        ? ofSmallFile(path, algorithm)
        : algorithm === "dandi-etag"
        ? ParallelEtag.ofFile(path)
        : plainOfFile(path, algorithm)
    ))

/**
 * The digest of a file or directory. Without an algorithm: dandi-etag for files, zarr-checksum
 * for directories. Only zarr-checksum applies to a directory, and only to a directory.
 *
 * @since 0.1.0
 * @category digests
 */
export const ofPath: (
  path: string,
  algorithm?: DigestAlgorithm
) => Effect.Effect<string, PathDigestError, HashWorkerPool | DigestCache> = Effect.fn("NodeDigests.ofPath")(
  function*(path: string, algorithm?: DigestAlgorithm) {
    const info = yield* Effect.tryPromise({
      try: () => stat(path),
      catch: (error) => {
        const e = error as { readonly code?: unknown; readonly message?: unknown }
        return fileError(path, String(e?.code ?? ""), String(e?.message ?? error))
      }
    })
    if (info.isDirectory()) {
      if (algorithm !== undefined && algorithm !== "zarr-checksum") {
        return yield* new LocalDataError({
          message: `Cannot compute ${algorithm} of ${path}: it is a directory; use zarr-checksum (the default for directories).`,
          path
        })
      }
      return String(yield* LocalZarr.checksum(path))
    }
    if (!info.isFile()) {
      return yield* new LocalDataError({ message: `Cannot read ${path}: not a regular file or directory.`, path })
    }
    if (algorithm === "zarr-checksum") {
      // dandi-cli answers with the file's MD5 here, which reads as a checksum it is not.
      return yield* new LocalDataError({
        message: `Cannot compute zarr-checksum of ${path}: it is a file, and a zarr checksum belongs to a directory (a Zarr store); use md5 for the file's own digest (what a Zarr checksum records for each file), or dandi-etag (the default for files).`,
        path
      })
    }
    return yield* ofFile(path, info.size, algorithm ?? "dandi-etag")
  }
)

/**
 * Everything `ofPath` needs in Node: a worker pool and the cache configured by the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HashWorkerPool | DigestCache> = Layer.merge(
  HashWorkerPoolModule.layer(),
  DigestCacheModule.layer
)
