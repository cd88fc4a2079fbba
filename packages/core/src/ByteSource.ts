/**
 * Local data as the upload and digest pipelines see it: a known size and random access to byte
 * ranges as Streams. Node provides files, browsers provide Blobs, tests provide memory.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { LocalDataError } from "./DandiError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ByteSource {
  /** Human-readable name for messages (a path or a file name). */
  readonly name: string
  readonly size: number
  /** The bytes in `[offset, offset + length)`; may be read many times (retries re-read). */
  readonly slice: (offset: number, length: number) => Stream.Stream<Uint8Array, LocalDataError>
  /**
   * The size the data has now, for sources that can change under the reader (files). The
   * uploader compares it with `size` before and after sending, and refuses a file that changed.
   */
  readonly currentSize?: Effect.Effect<number, LocalDataError> | undefined
  /**
   * What identifies this data across processes while it is unchanged (a file's device, inode,
   * size and modification time), so an interrupted upload of it can be resumed. Absent: no resume.
   */
  readonly identity?: string | undefined
  /**
   * The bytes in `[offset, offset + length)` as a request body the platform sends by itself,
   * without the SDK reading them: in a browser a `Blob` slice, which fetch sends from the file with
   * an exact `Content-Length`, never copied into memory. When present, the uploader sends parts this
   * way (a part whose MD5 is not known yet is hashed through `slice` first).
   */
  readonly platformBody?: ((offset: number, length: number) => unknown) | undefined
}

/**
 * A ByteSource over bytes already in memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (name: string, bytes: Uint8Array, chunkSize = 1 << 20): ByteSource => ({
  name,
  size: bytes.length,
  slice: (offset, length) => {
    const end = Math.min(bytes.length, offset + length)
    const chunks: Array<Uint8Array> = []
    for (let at = offset; at < end; at += chunkSize) chunks.push(bytes.subarray(at, Math.min(end, at + chunkSize)))
    return Stream.fromIterable(chunks)
  }
})
