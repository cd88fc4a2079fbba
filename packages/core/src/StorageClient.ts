/**
 * The client for presigned object-store URLs (the archive's S3 bucket): downloads, upload parts,
 * multipart completion, zarr objects, ranged reads. It is separate from the API client because
 * these URLs carry their credentials in the query string:
 *
 * - no `Authorization` header is ever sent (S3 refuses a request that has one), whatever the
 *   caller passes in `headers`;
 * - no trace headers (in browsers they would force a CORS preflight against the bucket), and no
 *   platform span recording `url.full` with the signature; spans and logs show the URL without
 *   its query string;
 * - the SDK's one retry policy (transport failures, timeouts, 429/5xx, `Retry-After`);
 * - S3's XML error documents become tagged errors: `PresignedUrlExpired` (get a fresh URL and
 *   send again), `MultipartUploadNotFound` (start the upload again), `StorageError` with S3's
 *   `code` for the rest, `TransportError` when no answer came.
 *
 * ```ts
 * const storage = yield* StorageClient.StorageClient
 * const part = yield* storage.get(url, { range: { start: 0, end: 1023 } }) // 206, contentRange
 * yield* part.stream.pipe(Stream.runForEach(write))
 * const { etag } = yield* storage.put(partUrl, bytes)                     // exact Content-Length
 * yield* storage.postXml(completeUrl, body)                               // CompleteMultipartUpload
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { DandiConfig } from "./DandiConfig.js"
import * as internal from "./internal/storageClient.js"
import type { StorageClientShape } from "./internal/storageClientShape.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type {
  ByteRange,
  ContentRange,
  GetOptions,
  PostXmlResult,
  PutBody,
  PutOptions,
  PlatformBody,
  PutResult,
  StorageClientShape,
  StorageFailure,
  StorageRequestOptions,
  StorageResponse
} from "./internal/storageClientShape.js"

/**
 * The storage client.
 *
 * @since 0.1.0
 * @category tags
 */
export class StorageClient extends Context.Tag("@dandi-effect/core/StorageClient")<
  StorageClient,
  StorageClientShape
>() {}

/**
 * Builds the client from DandiConfig (retry policy, user agent) and the platform's HttpClient.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<StorageClientShape, never, DandiConfig | HttpClient.HttpClient> = internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<StorageClient, never, DandiConfig | HttpClient.HttpClient> = Layer.effect(
  StorageClient,
  make
)

/**
 * Reads S3's `<Error><Code>…</Code><Message>…</Message></Error>` document; undefined for any
 * other body.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseS3Error: (body: string) => { readonly code: string; readonly message: string } | undefined =
  internal.parseS3Error
