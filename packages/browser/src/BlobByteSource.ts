/**
 * A `Blob` (or `File`) as a ByteSource: slices are read lazily with `Blob.slice().stream()` (for
 * hashing), and upload parts are handed to fetch as `Blob.slice()` itself (`platformBody`), which the
 * browser sends from the file with an exact `Content-Length`. A multi-gigabyte file picked in the
 * browser is never held in memory, not even one part of it.
 *
 * @since 0.1.0
 */
import type { ByteSource } from "@dandi-effect/core/ByteSource"
import { describeCause, LocalDataError } from "@dandi-effect/core/DandiError"
import * as Stream from "effect/Stream"

/**
 * `name` defaults to the File's name, or "blob".
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBlob = (blob: Blob, name: string = "name" in blob ? String(blob.name) : "blob"): ByteSource => ({
  name,
  size: blob.size,
  slice: (offset, length) =>
    length <= 0
      ? Stream.empty
      : Stream.fromReadableStream({
        evaluate: () => blob.slice(offset, offset + length).stream(),
        onError: (cause) =>
          new LocalDataError({
            message: `Cannot read ${name}: ${describeCause(cause)}. ` +
              `Select the file again; browsers revoke access to files that changed on disk.`,
            path: name,
            cause
          })
      }),
  platformBody: (offset, length) => blob.slice(offset, offset + length)
})
