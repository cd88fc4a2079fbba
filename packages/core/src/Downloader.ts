/**
 * The Downloader: an asset's bytes as a Stream from any offset, and verified, resumable
 * downloads into a ByteSink (Node: files; browsers: Blobs).
 *
 * ```ts
 * const downloader = yield* Downloader.Downloader
 * const blob = yield* asset.downloadSpec()                        // url, size, digests, mtime
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
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { ApiClient } from "./ApiClient.js"
import type { ByteSink } from "./ByteSink.js"
import { DandiConfig } from "./DandiConfig.js"
import { Hasher } from "./Hasher.js"
import { StorageClient } from "./StorageClient.js"
import * as BlobSource from "./internal/download/blobSource.js"
import * as Folder from "./internal/download/folder.js"
import type { BlobDownload, Completed, DownloadEvent } from "./internal/download/model.js"
import { Downloader } from "./internal/download/tag.js"
import type { DownloaderShape } from "./internal/download/tag.js"
import * as ToSink from "./internal/download/toSink.js"
import * as RangedReader from "./RangedReader.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type {
  BlobDownload,
  Completed,
  DownloadableAsset,
  DownloadableBlob,
  DownloadableDandiset,
  DownloadableZarr,
  DownloadError,
  DownloadEvent,
  ReadError
} from "./internal/download/model.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * The Downloader service.
   *
   * @since 0.1.0
   * @category tags
   */
  Downloader
} from "./internal/download/tag.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type { DownloaderShape } from "./internal/download/tag.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * The download of a blob asset from its record and metadata.
   *
   * @since 0.1.0
   * @category constructors
   */
  fromAssetData
} from "./internal/download/model.js"

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
    const folderDeps: Folder.Dependencies = { hasher, toSink, gui: config.instance.gui }
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
