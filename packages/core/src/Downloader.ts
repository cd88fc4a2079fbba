/**
 * The Downloader: an asset's bytes as a Stream from any offset, and verified, resumable
 * downloads into a ByteSink (Node: files; browsers: Blobs).
 *
 * ```ts
 * const downloader = yield* Downloader.Downloader
 * const blob = yield* Downloader.fromAsset(asset)                 // url, size, digests, mtime
 * yield* downloader.bytes(blob, { start: 100 }).pipe(Stream.runForEach(…)) // Range: bytes=100-
 * yield* downloader.toSink(blob, sink).pipe(Stream.runForEach(render))     // typed progress events
 * yield* Downloader.completion(downloader.toSink(blob, sink))            // or just the outcome
 * yield* downloader.dandiset(dandiset, folder, { existing: "skip", jobs: 6 }).pipe(Stream.runDrain)
 * ```
 *
 * What every download can rely on:
 * - The API's download route is asked with the token; the presigned storage URL it redirects to
 *   is fetched through the StorageClient: no token, no trace headers, no span recording its
 *   signed query.
 * - Each storage request asks for exactly the bytes still missing; a 206 must carry the
 *   `Content-Range` asked for and the asset's size, a 200 to a ranged request has its leading
 *   bytes skipped. A server that ignores `Range` can therefore never corrupt a resume.
 * - Broken-off bodies, timeouts, 429 and 5xx are retried with backoff and `Retry-After`,
 *   continuing from the last byte received; an expired presigned URL is renewed through the API.
 * - `toSink` hashes while it writes: the dandi-etag, plus sha256 when the metadata lists it. A
 *   resumed download hashes the bytes it already held first, so the whole file is verified. A
 *   mismatch discards the bytes, downloads once more, and then fails with DigestMismatch; nothing
 *   unverified is ever committed. A sink that already holds the whole content is verified and
 *   committed without a request.
 * - Interrupting the stream closes the connection and the sink (handles, locks); what was
 *   written stays for the next attempt.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { JsonObject } from "./ApiRecords.js"
import { ApiClient } from "./ApiClient.js"
import type { ByteSink } from "./ByteSink.js"
import { DandiConfig } from "./DandiConfig.js"
import type { DandiError } from "./DandiError.js"
import type * as DownloadFolder from "./DownloadFolder.js"
import { Hasher } from "./Hasher.js"
import { StorageClient } from "./StorageClient.js"
import type { DandiApi } from "./internal/dandiApiService.js"
import * as BlobSource from "./internal/download/blobSource.js"
import * as Folder from "./internal/download/folder.js"
import type { BlobDownload, Completed, DownloadError, DownloadEvent, ReadError } from "./internal/download/model.js"
import * as ToSink from "./internal/download/toSink.js"
import * as RangedReader from "./RangedReader.js"
import type { BaseRemoteAsset } from "./RemoteAsset.js"
import type { RemoteDandiset } from "./RemoteDandiset.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type { BlobDownload, Completed, DownloadError, DownloadEvent, ReadError } from "./internal/download/model.js"

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
   * applied, `jobs` files at once, zarr assets reported as Skipped. The records' metadata is
   * read through DandiApi (inline when the listing carried it).
   */
  readonly toFolder: <E, R>(
    assets: Stream.Stream<BaseRemoteAsset, E, R>,
    folder: DownloadFolder.DownloadFolder,
    options?: DownloadFolder.AssetsOptions
  ) => Stream.Stream<DownloadFolder.FolderEvent, E, R | DandiApi>
  /**
   * A dandiset version into `<identifier>/` of the folder, as `dandi download` lays it out:
   * `dandiset.yaml` first (as dandi-cli writes it; only for the whole dandiset), then the assets
   * as `toFolder` downloads them. Fails only when the assets cannot be listed.
   */
  readonly dandiset: (
    dandiset: RemoteDandiset,
    folder: DownloadFolder.DownloadFolder,
    options?: DownloadFolder.DandisetOptions
  ) => Stream.Stream<DownloadFolder.FolderEvent, DandiError, DandiApi>
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

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<DownloaderShape, never, ApiClient | DandiConfig | StorageClient | Hasher> = Effect
  .gen(function*() {
    const api = yield* ApiClient
    const config = yield* DandiConfig
    const hasher = yield* Hasher
    const storage = yield* StorageClient
    const deps: BlobSource.Dependencies = { api, config, storage }
    const source = (blob: BlobSource.BlobLocation) =>
      BlobSource.make(deps, { downloadUrl: blob.downloadUrl, size: blob.size, name: blob.name })
    const toSink = (blob: BlobDownload, sink: ByteSink) =>
      Stream.unwrap(Effect.map(source(blob), (s) => ToSink.toSink(hasher, s, blob, sink))).pipe(
        Stream.withSpan("Downloader.toSink", { attributes: { name: blob.name, size: blob.size } })
      )
    const folderDeps: Folder.Dependencies = { hasher, toSink, fromAssetData, gui: config.instance.gui }
    return Downloader.of({
      toFolder: (assets, folder, options) => Folder.toFolder(folderDeps, assets, folder, options),
      dandiset: (dandiset, folder, options) =>
        Folder.dandiset(folderDeps, dandiset, folder, options).pipe(
          Stream.withSpan("Downloader.dandiset", { attributes: { dandiset: dandiset.identifier } })
        ),
      bytes: (blob, options) =>
        Stream.unwrap(Effect.map(source(blob), (s) => s.bytes(options))).pipe(
          Stream.withSpan("Downloader.bytes", { attributes: { name: blob.name } })
        ),
      toSink,
      reader: (blob, options) =>
        Effect.flatMap(source(blob), (s) =>
          RangedReader.make({
            size: blob.size,
            fetch: (start, end) => s.bytes({ start, end })
          }, options))
    })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Downloader, never, ApiClient | DandiConfig | StorageClient | Hasher> = Layer
  .effect(Downloader, make)

/**
 * Runs a download's events to the end and returns its Completed event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const completion = <E, R>(events: Stream.Stream<DownloadEvent, E, R>): Effect.Effect<Completed, E, R> =>
  Stream.runFold(events, undefined as Completed | undefined, (last, event) => event._tag === "Completed" ? event : last)
    .pipe(Effect.flatMap((last) => last === undefined ? Effect.dieMessage("download ended without completing") : Effect.succeed(last)))

const metadataDigests: ReadonlyArray<readonly [string, string]> = [
  ["dandi:dandi-etag", "dandi-etag"],
  ["dandi:sha2-256", "sha256"]
]

/**
 * The download of a blob asset from its record and metadata, as dandi-cli builds it: the
 * dandi-etag and (when listed) sha256 to verify, `blobDateModified` as mtime (the asset's
 * `modified` when absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAssetData = (
  asset: { readonly baseDownloadUrl: string; readonly size: number; readonly path: string; readonly modified: string },
  metadata: JsonObject
): BlobDownload => {
  const digest = typeof metadata.digest === "object" && metadata.digest !== null
    ? metadata.digest as Readonly<Record<string, unknown>>
    : {}
  const digests: Record<string, string> = {}
  for (const [key, name] of metadataDigests) {
    const value = digest[key]
    if (typeof value === "string") digests[name] = value
  }
  const modified = typeof metadata.blobDateModified === "string" ? metadata.blobDateModified : asset.modified
  const mtime = new Date(modified)
  return {
    downloadUrl: asset.baseDownloadUrl,
    size: asset.size,
    name: asset.path,
    digests,
    ...(Number.isNaN(mtime.getTime()) ? {} : { mtime })
  }
}
