/**
 * The ZarrTransfers tag and shape, in a leaf module so that records (`BaseRemoteZarrAsset.rmfiles`)
 * can name the service without importing its implementation.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ValidationTimeout } from "../../DandiError.js"
import type { ApiError } from "../../HttpErrors.js"
import type {
  ZarrDownloadError,
  ZarrDownloadEvent,
  ZarrDownloadOptions,
  ZarrDownloadResult,
  ZarrFolderEntry,
  ZarrUploadError,
  ZarrUploadEvent,
  ZarrUploadOptions,
  ZarrUploadResult
} from "./model.js"

/**
 * Options of `rmfiles`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RmfilesOptions {
  /** Finalize afterwards and wait until the archive has recomputed the checksum (default true). */
  readonly reingest?: boolean | undefined
  readonly pollInterval?: Duration.DurationInput | undefined
  readonly checksumTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ZarrTransfersShape {
  /**
   * Uploads (or synchronises) a local zarr as an asset, as a Stream of progress events ending
   * with `Done`. Interrupting it stops the PUTs in flight; a later run sends only what is missing.
   */
  readonly upload: (options: ZarrUploadOptions) => Stream.Stream<ZarrUploadEvent, ZarrUploadError>
  /** The upload as one Effect; `onEvent` sees the same events. */
  readonly uploadZarr: (
    options: ZarrUploadOptions,
    onEvent?: (event: ZarrUploadEvent) => Effect.Effect<void>
  ) => Effect.Effect<ZarrUploadResult, ZarrUploadError>
  /** Downloads a zarr into a local target, as a Stream of progress events ending with `Done`. */
  readonly download: (options: ZarrDownloadOptions) => Stream.Stream<ZarrDownloadEvent, ZarrDownloadError>
  /** The download as one Effect. */
  readonly downloadZarr: (
    options: ZarrDownloadOptions,
    onEvent?: (event: ZarrDownloadEvent) => Effect.Effect<void>
  ) => Effect.Effect<ZarrDownloadResult, ZarrDownloadError>
  /**
   * Deletes entries (keys from the zarr root) in batches of 100; with `reingest` (the default)
   * then finalizes and waits for the new checksum. A key that does not exist fails its batch
   * (the archive deletes nothing of it).
   */
  readonly rmfiles: (
    zarrId: string,
    paths: ReadonlyArray<string>,
    options?: RmfilesOptions
  ) => Effect.Effect<void, ApiError | ValidationTimeout>
  /**
   * The immediate children of a folder inside a zarr (`""` for the root): files with their
   * sizes, folders with the total size and count of the files below them. In key order.
   */
  readonly listFolder: (zarrId: string, folder?: string) => Stream.Stream<ZarrFolderEntry, ApiError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ZarrTransfers extends Context.Tag("@dandi-effect/core/ZarrTransfers")<ZarrTransfers, ZarrTransfersShape>() {}

