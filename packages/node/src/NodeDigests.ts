/**
 * Digests of local paths, as `dandi digest` computes them: files default to the dandi-etag,
 * directories to the dandi-zarr-checksum, and a file's "zarr-checksum" is its plain MD5
 * (dandi-cli `get_zarr_checksum`). Whole-file digests go through the DigestCache.
 *
 * @since 0.1.0
 */
import { LocalDataError } from "@dandi-effect/core/DandiError"
import type { ObjectTooLargeError } from "@dandi-effect/core/DandiError"
import type { DigestAlgorithm } from "@dandi-effect/core/Digest"
import type { HashAlgorithm } from "@dandi-effect/core/Hasher"
import type { DuplicateZarrEntry } from "@dandi-effect/core/ZarrChecksum"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { stat } from "node:fs/promises"
import { DigestCache } from "./DigestCache.js"
import * as DigestCacheModule from "./DigestCache.js"
import { fileError, HashWorkerPool } from "./HashWorkerPool.js"
import * as HashWorkerPoolModule from "./HashWorkerPool.js"
import * as LocalZarr from "./LocalZarr.js"
import * as ParallelEtag from "./ParallelEtag.js"

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

const ofFile = (path: string, algorithm: Exclude<DigestAlgorithm, "zarr-checksum">) =>
  Effect.flatMap(DigestCache, (cache) =>
    cache.cached(path, algorithm, algorithm === "dandi-etag" ? ParallelEtag.ofFile(path) : plainOfFile(path, algorithm)))

/**
 * The digest of a file or directory. Without an algorithm: dandi-etag for files, zarr-checksum
 * for directories. Only zarr-checksum applies to a directory.
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
    const chosen = algorithm ?? "dandi-etag"
    return yield* ofFile(path, chosen === "zarr-checksum" ? "md5" : chosen)
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
