/**
 * Uploads local data (any `ByteSource`: Node files, browser Blobs, memory) as blob assets of a
 * dandiset's draft, the way the archive expects: dandi-etag, initialize (a blob the archive
 * already stores is reused and no byte is sent), parts PUT to presigned URLs with bounded
 * concurrency and per-part retries, each part's ETag checked against the MD5 of what was sent,
 * complete (final ETag checked), validate, then the asset created or replaced.
 *
 * ```ts
 * const uploader = yield* Uploader.Uploader
 * // Progress as a Stream; interrupting it cancels the upload (no asset is created).
 * yield* uploader.upload({ dandisetId: "000123", source, path: "sub-1/sub-1.nwb" }).pipe(
 *   Stream.runForEach((event) => Console.log(event._tag))
 * )
 * // Or just the result:
 * const { asset } = yield* uploader.uploadBlob({ dandisetId: "000123", source, path: "notes.txt" })
 * ```
 *
 * Before anything is read or sent it refuses (UploadRefusedError, naming the path and the rule)
 * what the archive would refuse: paths outside the archive's grammar, empty files, Zarr
 * archives, unfinished downloads. A missing `encodingFormat` is filled from the file name so
 * the asset validates on the server.
 *
 * Resumable: for sources with an `identity` (Node files), the upload id, part URLs and confirmed
 * parts are kept in the `UploadStateStore`; a later upload of the same data sends only the
 * missing parts while the URLs are valid, and starts over cleanly when they are not.
 *
 * `DandiApi.layer` provides the Uploader beside the facade (state in memory unless its
 * `uploadState` option names a store); so do `NodeDandi.layer` (state on disk) and
 * `BrowserDandi.layer`. `Uploader.layer` alone needs the `ApiClient`, `StorageClient` and
 * `DandiConfig` (the HttpStack), a `Hasher` and an `UploadStateStore`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import { ApiClient } from "./ApiClient.js"
import { DandiConfig } from "./DandiConfig.js"
import { Hasher } from "./Hasher.js"
import * as Backend from "./internal/backend.js"
import * as BlobUpload from "./internal/upload/blobUpload.js"
import * as EncodingFormat from "./internal/upload/encodingFormat.js"
import * as Model from "./internal/upload/model.js"
import * as Paginator from "./Paginator.js"
import { StorageClient } from "./StorageClient.js"
import { UploadStateStore } from "./UploadState.js"

/**
 * @since 0.1.0
 * @category models
 */
export type BlobUploadOptions = Model.BlobUploadOptions

/**
 * @since 0.1.0
 * @category models
 */
export type UploadResult = Model.UploadResult

/**
 * A source's dandi-etag and each part's MD5 (the `digests` option).
 *
 * @since 0.1.0
 * @category models
 */
export type SourceDigests = Model.SourceDigests

/**
 * @since 0.1.0
 * @category errors
 */
export type UploadError = Model.UploadError

/**
 * @since 0.1.0
 * @category models
 */
export type UploadEvent = Model.UploadEvent

/**
 * Constructors and `$match` / `$is` for upload events.
 *
 * @since 0.1.0
 * @category models
 */
export const UploadEvent = Model.UploadEvent

/**
 * @since 0.1.0
 * @category models
 */
export interface UploaderShape {
  /**
   * The upload as a Stream of progress events ending with `Done`. Interrupting the stream (or
   * the fiber running it) cancels the upload: requests in flight are aborted and no asset is
   * created; a resumable source keeps what was confirmed for a later attempt.
   */
  readonly upload: (options: BlobUploadOptions) => Stream.Stream<UploadEvent, UploadError>
  /** The upload as one Effect; `onEvent` sees the same events as `upload`'s Stream. */
  readonly uploadBlob: (
    options: BlobUploadOptions,
    onEvent?: (event: UploadEvent) => Effect.Effect<void>
  ) => Effect.Effect<UploadResult, UploadError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Uploader extends Context.Tag("@dandi-effect/core/Uploader")<Uploader, UploaderShape>() {}

/**
 * The `encodingFormat` an asset at `path` gets when its metadata names none (MIME type from the
 * extension; `application/x-nwb` for NWB; `application/octet-stream` when unknown).
 *
 * @since 0.1.0
 * @category utils
 */
export const encodingFormatFor: (path: string) => string = EncodingFormat.fromPath

/** Events buffered between the upload and a slow consumer before the upload waits. */
const EVENT_BUFFER = 64

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<UploaderShape, never, ApiClient | StorageClient | DandiConfig | Hasher | UploadStateStore> =
  Effect.gen(function*() {
    const api = yield* ApiClient
    const config = yield* DandiConfig
    // The assets an upload answers with carry the API operations of this client, as the
    // facade's records do (the paginator is only for their listings).
    const backend = Backend.make({
      client: api,
      paginator: yield* Paginator.make,
      location: { instanceName: config.instance.name, apiUrl: api.apiUrl }
    })
    const services: BlobUpload.Services = {
      api,
      storage: yield* StorageClient,
      hasher: yield* Hasher,
      states: yield* UploadStateStore,
      backend
    }
    const uploadBlob = (options: BlobUploadOptions, onEvent?: (event: UploadEvent) => Effect.Effect<void>) =>
      BlobUpload.run(services, options, onEvent ?? (() => Effect.void))
    const upload = (options: BlobUploadOptions): Stream.Stream<UploadEvent, UploadError> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const mailbox = yield* Mailbox.make<UploadEvent, UploadError>(EVENT_BUFFER)
        yield* uploadBlob(options, (event) => Effect.asVoid(mailbox.offer(event))).pipe(
          Effect.asVoid,
          Mailbox.into(mailbox),
          Effect.forkScoped
        )
        return Mailbox.toStream(mailbox)
      }))
    return { upload, uploadBlob }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Uploader, never, ApiClient | StorageClient | DandiConfig | Hasher | UploadStateStore> =
  Layer.effect(Uploader, make)
