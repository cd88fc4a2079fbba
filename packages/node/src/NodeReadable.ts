/**
 * Random access to a remote blob from Node, for code that reads files lazily (HDF5/NWB readers,
 * parsers that seek): dandi-cli's `as_readable()` in TypeScript.
 *
 * ```ts
 * const readable = yield* NodeReadable.asReadable(asset)     // scoped: closes with the scope
 * const bytes = yield* readable.read(0, 4)                     // Effect API
 * const fp = readable.open()                                   // a cursor: yield* fp.read(n), fp.seek(p), fp.tell()
 * readable.createReadStream({ start: 100 }).pipe(process.stdout) // a Node Readable from any offset
 * const handle = readable.fileHandle()                         // like fs.promises.FileHandle: read(buf, off, len, pos), stat(), close()
 * ```
 *
 * Reads go through the core RangedReader: ranged requests to the presigned storage URL (renewed
 * when it expires), a block cache, and read-ahead that grows while reading is sequential. No API
 * token is sent to storage. Promise-returning methods reject with the SDK's tagged errors.
 *
 * @since 0.1.0
 */
import type { DandiError } from "@dandi-effect/core/DandiError"
import * as Downloader from "@dandi-effect/core/Downloader"
import type { RangedReaderOptions } from "@dandi-effect/core/RangedReader"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"

/**
 * A cursor over the blob, as a Python file object offers: `read` advances, `seek` moves.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteFile {
  /** Up to `length` bytes from the current position (fewer at the end); advances the position. */
  readonly read: (length: number) => Effect.Effect<Uint8Array, Downloader.ReadError>
  /** Moves to `position` (`whence`: from the start, the current position, or the end). */
  readonly seek: (position: number, whence?: "start" | "current" | "end") => number
  readonly tell: () => number
}

/**
 * The part of `fs.promises.FileHandle` lazy readers use.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileHandleLike {
  readonly read: <B extends Uint8Array>(
    buffer: B,
    offset: number,
    length: number,
    position: number
  ) => Promise<{ readonly bytesRead: number; readonly buffer: B }>
  readonly stat: () => Promise<{ readonly size: number; readonly mtime: Date | undefined }>
  readonly close: () => Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RemoteReadable {
  readonly size: number
  /** The asset path's last segment. */
  readonly name: string
  /** The metadata's `blobDateModified`, when listed. */
  readonly mtime: Date | undefined
  readonly read: (position: number, length: number) => Effect.Effect<Uint8Array, Downloader.ReadError>
  readonly stream: (start?: number, end?: number) => Stream.Stream<Uint8Array, Downloader.ReadError>
  readonly open: () => RemoteFile
  /** A Node Readable of `[start, end]` (inclusive end, as `fs.createReadStream`). */
  readonly createReadStream: (options?: { readonly start?: number; readonly end?: number }) => Readable
  readonly fileHandle: () => FileHandleLike
  /** Ranged requests sent so far. */
  readonly requests: Effect.Effect<number>
}

/**
 * Random access to a blob asset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const asReadable = (
  asset: BaseRemoteAsset,
  options?: RangedReaderOptions
): Effect.Effect<RemoteReadable, DandiError, Downloader.Downloader | Scope.Scope> =>
  Effect.gen(function*() {
    const downloader = yield* Downloader.Downloader
    const blob = Downloader.fromAssetData(asset, yield* asset.getRawMetadata())
    const reader = yield* downloader.reader(blob, options)
    const runtime = yield* Effect.runtime<never>()
    const run = <A>(effect: Effect.Effect<A, Downloader.ReadError>): Promise<A> =>
      Runtime.runPromiseExit(runtime)(effect).then((exit) =>
        Exit.isSuccess(exit) ? exit.value : Promise.reject(Cause.squash(exit.cause))
      )
    const size = blob.size

    const open = (): RemoteFile => {
      let position = 0
      return {
        read: (length) =>
          Effect.suspend(() => reader.read(position, length)).pipe(
            Effect.tap((bytes) => Effect.sync(() => {
              position += bytes.length
            }))
          ),
        seek: (target, whence = "start") => {
          const base = whence === "start" ? 0 : whence === "current" ? position : size
          position = Math.max(0, base + target)
          return position
        },
        tell: () => position
      }
    }

    const createReadStream = (range: { readonly start?: number; readonly end?: number } = {}) =>
      Readable.from(
        Stream.toAsyncIterableRuntime(runtime)(reader.stream(range.start ?? 0, range.end === undefined ? size : range.end + 1)),
        { objectMode: false }
      )

    const fileHandle = (): FileHandleLike => ({
      read: (buffer, offset, length, position) =>
        run(reader.read(position, length)).then((bytes) => {
          buffer.set(bytes, offset)
          return { bytesRead: bytes.length, buffer }
        }),
      stat: () => Promise.resolve({ size, mtime: blob.mtime }),
      close: () => Promise.resolve()
    })

    return {
      size,
      name: asset.path.split("/").at(-1) ?? asset.path,
      mtime: blob.mtime,
      read: reader.read,
      stream: reader.stream,
      open,
      createReadStream,
      fileHandle,
      requests: reader.requests
    }
  })
