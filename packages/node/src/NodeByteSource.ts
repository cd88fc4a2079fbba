/**
 * Local files as `ByteSource`s. The source remembers its path so that Node-only fast paths
 * (worker-thread hashing in ParallelEtag) can read the file directly instead of streaming it.
 *
 * @since 0.1.0
 */
import type { ByteSource } from "@dandi-effect/core/ByteSource"
import { LocalDataError } from "@dandi-effect/core/DandiError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { fileError } from "./HashWorkerPool.js"

/**
 * A ByteSource backed by a file on disk, so its bytes can be read where they lie (on the worker pool).
 *
 * @since 0.1.0
 * @category models
 */
export interface FileByteSource extends ByteSource {
  readonly path: string
}

/**
 * Whether a ByteSource is a FileByteSource.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFileByteSource = (source: ByteSource): source is FileByteSource =>
  "path" in source && typeof (source as { readonly path?: unknown }).path === "string"

const errorOf = (path: string) => (error: unknown): LocalDataError => {
  const e = error as { readonly code?: unknown; readonly message?: unknown }
  return fileError(path, String(e?.code ?? ""), String(e?.message ?? error))
}

/**
 * Read chunks of this size. Every chunk read is a fresh buffer outside the V8 heap, freed only
 * when a collection finds it, and collections come with the JavaScript allocated per chunk: the
 * larger the chunk, the more sent bytes wait for the collector. Uploading 256 MiB peaked at
 * 202–217 MiB RSS with 1 MiB chunks, 182–205 MiB with 64 KiB, 169–186 MiB with 32 KiB (the
 * upload bench, docs/BENCHMARKS.md); 16 KiB gained nothing more and cost a third more CPU.
 */
const CHUNK = 32 * 1024

/**
 * A ByteSource over a file whose size is taken now; `name` defaults to the path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPath = (path: string, name: string = path): Effect.Effect<FileByteSource, LocalDataError> =>
  Effect.gen(function*() {
    const info = yield* Effect.tryPromise({ try: () => stat(path, { bigint: true }), catch: errorOf(path) })
    if (!info.isFile()) {
      return yield* new LocalDataError({ message: `Cannot read ${path}: not a regular file.`, path })
    }
    return {
      name,
      path,
      size: Number(info.size),
      // The same file, unchanged: device, inode, size and modification time (ns).
      identity: `file:${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}`,
      currentSize: Effect.tryPromise({ try: () => stat(path), catch: errorOf(path) }).pipe(Effect.map((now) => now.size)),
      slice: (offset, length) =>
        length <= 0
          ? Stream.empty
          // Opened when the stream runs, so every run (a retried upload part) reads afresh.
          : Stream.suspend(() =>
            Stream.fromAsyncIterable(
              createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: CHUNK }) as AsyncIterable<
                Uint8Array
              >,
              errorOf(path)
            )
          )
    } satisfies FileByteSource
  })
