/**
 * What an upload takes, reports and returns. Kept apart from the pipeline so the public module
 * and the implementation share it without importing each other.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { JsonObject } from "../../ApiRecords.js"
import type { ByteSource } from "../../ByteSource.js"
import type { PartDigest } from "../../DandiEtag.js"
import type {
  DigestMismatch,
  LocalDataError,
  MultipartUploadNotFound,
  ObjectTooLargeError,
  PresignedUrlExpired,
  StorageError,
  UploadRefusedError
} from "../../DandiError.js"
import type { ApiError } from "../../HttpErrors.js"
import type { RemoteAsset } from "../../RemoteAsset.js"

export interface BlobUploadOptions {
  /** The dandiset whose draft receives the asset. */
  readonly dandisetId: string
  /** The bytes to upload. */
  readonly source: ByteSource
  /** The asset path in the dandiset (POSIX, relative, in the archive's path grammar). */
  readonly path: string
  /**
   * Asset metadata. `path` and `schemaKey` are set from the upload; a missing `encodingFormat`
   * is filled from the file name. A `digest["dandi:dandi-etag"]` that disagrees with the data
   * fails the upload before anything is sent.
   */
  readonly metadata?: JsonObject | undefined
  /** Replace this asset (id) of the draft instead of adding a new one. */
  readonly replacing?: string | undefined
  /** The source's dandi-etag from elsewhere (a digest cache, parallel hashing); computed otherwise. */
  readonly etag?: Effect.Effect<string, LocalDataError | ObjectTooLargeError> | undefined
  /**
   * The dandi-etag with every part's MD5, from elsewhere (Node hashes parts on worker threads).
   * Wins over `etag`. Parts are then not hashed again while they are sent: the store's ETag of
   * each part is checked against these MD5s, which also catches a file changed since hashing.
   * A part missing from `parts` (e.g. none: an etag from a cache) is hashed while it is sent.
   * When the Uploader computes the etag itself it keeps the part MD5s the same way.
   */
  readonly digests?: Effect.Effect<SourceDigests, LocalDataError | ObjectTooLargeError> | undefined
  /** Parts in flight at once (default 5). */
  readonly partConcurrency?: number | undefined
}

/** A source's dandi-etag and the MD5 of each of its parts. */
export interface SourceDigests {
  readonly etag: string
  readonly parts: ReadonlyArray<PartDigest>
}

export interface UploadResult {
  /** The asset created (or the replacement, with its new id). */
  readonly asset: RemoteAsset
  readonly blobId: string
  readonly etag: string
  /** The archive already had these bytes: none were sent. */
  readonly deduplicated: boolean
  /** An earlier, interrupted upload of the same data was continued. */
  readonly resumed: boolean
  /** Parts this run sent (0 when deduplicated or when every part was already confirmed). */
  readonly partsSent: number
}

/** Everything an upload can fail with. */
export type UploadError =
  | UploadRefusedError
  | LocalDataError
  | ObjectTooLargeError
  | DigestMismatch
  | PresignedUrlExpired
  | MultipartUploadNotFound
  | StorageError
  | ApiError

/**
 * The progress of one upload, in order: `Hashing` → `Hashed` → (`Deduplicated` |
 * `Initiated` → `Progress`* / `PartUploaded`* → `Finalizing` complete → `Finalizing` validate) →
 * `Finalizing` asset → `Done`.
 */
export type UploadEvent = Data.TaggedEnum<{
  /** Computing the dandi-etag. */
  Hashing: { readonly path: string; readonly size: number }
  Hashed: { readonly path: string; readonly etag: string }
  /** The archive already stores these bytes; nothing will be sent. */
  Deduplicated: { readonly path: string; readonly blobId: string }
  /** A multipart upload is under way; `resumed` when continuing a saved one. */
  Initiated: {
    readonly path: string
    readonly uploadId: string
    readonly partCount: number
    readonly partsToSend: number
    readonly resumed: boolean
  }
  /** Bytes handed to the network so far (parts in flight included; a retried part counts again from 0). */
  Progress: { readonly path: string; readonly bytesDone: number; readonly totalBytes: number }
  /** The object store confirmed a part, with the right ETag. */
  PartUploaded: {
    readonly path: string
    readonly partNumber: number
    readonly partCount: number
    readonly bytesDone: number
    readonly totalBytes: number
  }
  Finalizing: { readonly path: string; readonly step: "complete" | "validate" | "asset" }
  Done: { readonly path: string } & UploadResult
}>

export const UploadEvent = Data.taggedEnum<UploadEvent>()
