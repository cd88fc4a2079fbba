/**
 * The storage client's types: its shape, requests, answers and failures. A leaf: the
 * implementation (`internal/storageClient.ts`) and the public module (`StorageClient.ts`, which
 * re-exports all of it) both import it, so neither imports the other's types.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { MultipartUploadNotFound, PresignedUrlExpired, StorageError, TransportError } from "../DandiError.js"

/**
 * What any storage request can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type StorageFailure = PresignedUrlExpired | StorageError | TransportError

/**
 * A byte range: `start` to `end` inclusive, or to the end of the object when `end` is omitted.
 *
 * @since 0.1.0
 * @category models
 */
export interface ByteRange {
  readonly start: number
  readonly end?: number | undefined
}

/**
 * A `Content-Range: bytes start-end/size` header, parsed (`size` is undefined for `*`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ContentRange {
  readonly start: number
  readonly end: number
  readonly size: number | undefined
}

/**
 * Options every request takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageRequestOptions {
  /** Extra headers (`Content-Type`, `Content-MD5`, `x-amz-tagging`, …); `Authorization` is dropped. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of a GET.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetOptions extends StorageRequestOptions {
  /** Ask for part of the object (`Range: bytes=start-end`); a 206 answer says which part came. */
  readonly range?: ByteRange | undefined
}

/**
 * A successful answer (2xx) with its body not read yet: read it once, by `stream` or `bytes`.
 * Both fail with TransportError when the connection breaks or the body is shorter than its
 * Content-Length.
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageResponse {
  /** 200, or 206 for a range. */
  readonly status: number
  readonly headers: Headers.Headers
  /** `Content-Length`, when the server sent it. */
  readonly contentLength: number | undefined
  /** `Content-Range` of a 206 answer. */
  readonly contentRange: ContentRange | undefined
  /** `ETag` without its surrounding quotes. */
  readonly etag: string | undefined
  readonly stream: Stream.Stream<Uint8Array, TransportError>
  readonly bytes: Effect.Effect<Uint8Array, TransportError>
}

/**
 * The body of a PUT, sent with an exact `Content-Length`. A stream must be a description that
 * can run again (such as `ByteSource.slice`): a retry sends it again from the start. A failure of
 * the stream itself ends the PUT with that failure, without retrying.
 *
 * @since 0.1.0
 * @category models
 */
export type PutBody<E = never> =
  | Uint8Array
  | { readonly stream: Stream.Stream<Uint8Array, E>; readonly length: number }
  | PlatformBody

/**
 * A body the platform's HttpClient sends as is (`ByteSource.platformBody`: a Blob slice in a
 * browser), `length` bytes long; a retry sends the same value again.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlatformBody {
  readonly platformBody: unknown
  readonly length: number
}

/**
 * Options of a PUT.
 *
 * @since 0.1.0
 * @category models
 */
export interface PutOptions extends StorageRequestOptions {
  /** Default `application/octet-stream`. */
  readonly contentType?: string | undefined
}

/**
 * What a PUT (an object, or one part of a multipart upload) answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface PutResult {
  readonly status: number
  /** The object's or part's ETag without quotes (the MD5 of the bytes for a part). */
  readonly etag: string
}

/**
 * What a POST of XML (CompleteMultipartUpload) answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostXmlResult {
  readonly status: number
  /** The response document. */
  readonly body: string
  /** The `<ETag>` of the result document without quotes, if it has one. */
  readonly etag: string | undefined
}

/**
 * The storage client's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageClientShape {
  /** GET the object (or a range of it); the body is left to the caller. */
  readonly get: (url: string, options?: GetOptions) => Effect.Effect<StorageResponse, StorageFailure>
  /** HEAD: status and headers (size, ETag) without a body. */
  readonly head: (url: string, options?: StorageRequestOptions) => Effect.Effect<StorageResponse, StorageFailure>
  /** PUT bytes or a stream of exactly `length` bytes; returns the ETag S3 gave. */
  readonly put: <E = never>(
    url: string,
    body: PutBody<E>,
    options?: PutOptions
  ) => Effect.Effect<PutResult, StorageFailure | MultipartUploadNotFound | E>
  /**
   * POST an XML document (CompleteMultipartUpload). S3 may answer 200 with an `<Error>` document;
   * that is a failure too.
   */
  readonly postXml: (
    url: string,
    xml: string,
    options?: StorageRequestOptions
  ) => Effect.Effect<PostXmlResult, StorageFailure | MultipartUploadNotFound>
}
