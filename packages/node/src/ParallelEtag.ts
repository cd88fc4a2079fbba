/**
 * The dandi-etag of a local file with its parts hashed in parallel on worker threads (see
 * HashWorkerPool). Parts are independent MD5s, so two workers hashing alternate 64 MiB parts
 * approach twice the speed of a single `md5sum` on a two-core machine.
 *
 * @since 0.1.0
 */
import type { ByteSource } from "@dandi-effect/core/ByteSource"
import { LocalDataError } from "@dandi-effect/core/DandiError"
import type { ObjectTooLargeError } from "@dandi-effect/core/DandiError"
import * as DandiEtag from "@dandi-effect/core/DandiEtag"
import { Hasher } from "@dandi-effect/core/Hasher"
import type { SourceDigests } from "@dandi-effect/core/Uploader"
import * as Effect from "effect/Effect"
import { stat } from "node:fs/promises"
import { fileError, HashWorkerPool } from "./HashWorkerPool.js"
import type { HashWorkerPoolShape } from "./HashWorkerPool.js"
import { isFileByteSource } from "./NodeByteSource.js"
import * as NodeHasher from "./NodeHasher.js"

const fromHex = (hex: string): Uint8Array => {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

interface FileVersion {
  readonly size: number
  readonly mtimeMs: number
}

const version = (path: string): Effect.Effect<FileVersion, LocalDataError> =>
  Effect.tryPromise({
    try: () => stat(path),
    catch: (error) => {
      const e = error as { readonly code?: unknown; readonly message?: unknown }
      return fileError(path, String(e?.code ?? ""), String(e?.message ?? error))
    }
  }).pipe(
    Effect.filterOrFail(
      (info) => info.isFile(),
      () => new LocalDataError({ message: `Cannot read ${path}: not a regular file.`, path })
    ),
    Effect.map((info) => ({ size: info.size, mtimeMs: info.mtimeMs }))
  )

const changed = (path: string) =>
  new LocalDataError({
    message: `${path} changed while its dandi-etag was computed; wait until it is no longer written to and retry.`,
    path
  })

/**
 * The etag of a file and each part's MD5, using an explicit pool: what the Uploader's `digests`
 * option takes, so that parts are not hashed a second time while they are sent.
 *
 * @since 0.1.0
 * @category digests
 */
export const digestsOfFileWith = (
  pool: HashWorkerPoolShape,
  path: string
): Effect.Effect<SourceDigests, LocalDataError | ObjectTooLargeError> =>
  Effect.gen(function*() {
    const before = yield* version(path)
    const plan = yield* DandiEtag.plan(before.size)
    const digests = yield* Effect.forEach(
      plan.parts(),
      (part) =>
        pool.hash([{ path, offset: part.offset, length: part.size, algorithm: "md5" }]).pipe(
          Effect.flatMap(([result]) =>
            result!.bytes === part.size
              ? Effect.succeed(new DandiEtag.PartDigest({ partNumber: part.number, md5: fromHex(result!.digest) }))
              : Effect.fail(changed(path))
          )
        ),
      // Twice the workers keeps each one fed while results travel back.
      { concurrency: pool.workers * 2 }
    )
    const after = yield* version(path)
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return yield* changed(path)
    const etag = yield* DandiEtag.fromPartDigests(plan.partCount, digests).pipe(
      Effect.provideService(Hasher, NodeHasher.make)
    )
    return { etag, parts: digests }
  })

/**
 * The etag of a file using an explicit pool (no service lookup).
 *
 * @since 0.1.0
 * @category digests
 */
export const ofFileWith = (
  pool: HashWorkerPoolShape,
  path: string
): Effect.Effect<string, LocalDataError | ObjectTooLargeError> =>
  Effect.map(digestsOfFileWith(pool, path), (digests) => digests.etag)

/**
 * The dandi-etag of the file at `path`, parts hashed on the worker pool.
 *
 * @since 0.1.0
 * @category digests
 */
export const ofFile: (path: string) => Effect.Effect<string, LocalDataError | ObjectTooLargeError, HashWorkerPool> =
  Effect.fn("ParallelEtag.ofFile")(function*(path: string) {
    return yield* ofFileWith(yield* HashWorkerPool, path)
  })

/**
 * The dandi-etag of any ByteSource: files go to the worker pool, anything else is streamed.
 *
 * @since 0.1.0
 * @category digests
 */
export const ofSource = (
  source: ByteSource
): Effect.Effect<string, LocalDataError | ObjectTooLargeError, HashWorkerPool | Hasher> =>
  isFileByteSource(source) ? ofFile(source.path) : DandiEtag.fromSource(source)
