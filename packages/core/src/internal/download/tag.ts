/**
 * The Downloader tag and shape, in a leaf module so that records (`BaseRemoteBlobAsset.download`,
 * `RemoteZarrEntry.download`) can name the service without importing its implementation. The
 * shape names no record: it takes what it needs of assets and dandisets as the structural
 * interfaces of `model.ts`, which the records satisfy. `Downloader.ts` re-exports both.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { ByteSink } from "../../ByteSink.js"
import type { DandiError } from "../../DandiError.js"
import type * as DownloadFolder from "../../DownloadFolder.js"
import type * as RangedReader from "../../RangedReader.js"
import type * as BlobSource from "./blobSource.js"
import type {
  BlobDownload,
  DownloadableAsset,
  DownloadableDandiset,
  DownloadError,
  DownloadEvent,
  ReadError
} from "./model.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface DownloaderShape {
  /** The bytes `[start, end)` of a blob, straight from storage (no verification: a partial range has no digest). */
  readonly bytes: (
    blob: BlobSource.BlobLocation,
    options?: { readonly start?: number | undefined; readonly end?: number | undefined }
  ) => Stream.Stream<Uint8Array, ReadError>
  /** A verified, resumable download into `sink`, as a stream of progress events ending in Completed. */
  readonly toSink: (blob: BlobDownload, sink: ByteSink) => Stream.Stream<DownloadEvent, DownloadError>
  /**
   * Assets into a folder, each at its asset path (or `relativePath(asset)`): unsafe paths refused
   * with UnsafePathError in a Failed event while the rest download, the `existing` policy
   * applied, `jobs` files at once, zarr assets downloaded by the folder's `zarr` (else reported
   * as Skipped). Each asset's metadata is read through the asset (inline when the listing
   * carried it).
   */
  readonly toFolder: <A extends DownloadableAsset, E, R>(
    assets: Stream.Stream<A, E, R>,
    folder: DownloadFolder.DownloadFolder,
    options?: DownloadFolder.AssetsOptions<A>
  ) => Stream.Stream<DownloadFolder.FolderEvent, E, R>
  /**
   * A dandiset version into `<identifier>/` of the folder, as `dandi download` lays it out:
   * `dandiset.yaml` first (as dandi-cli writes it; only for the whole dandiset), then the assets
   * as `toFolder` downloads them. Fails only when the assets cannot be listed.
   */
  readonly dandiset: <R = never>(
    dandiset: DownloadableDandiset,
    folder: DownloadFolder.DownloadFolder,
    options?: DownloadFolder.DandisetOptions<R>
  ) => Stream.Stream<DownloadFolder.FolderEvent, DandiError, R>
  /** Random access to a blob: ranged requests behind a block cache with read-ahead. */
  readonly reader: (
    blob: BlobSource.BlobLocation,
    options?: RangedReader.RangedReaderOptions
  ) => Effect.Effect<RangedReader.RangedReader<ReadError>, never, Scope.Scope>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Downloader extends Context.Tag("@dandi-effect/core/Downloader")<Downloader, DownloaderShape>() {}
