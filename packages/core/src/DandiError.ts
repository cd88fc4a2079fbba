/**
 * Every failure the SDK reports, as tagged errors. Each message says what went wrong and what to
 * do next. No error ever carries an API token: requests are described by method and URL only,
 * and the Authorization header is never copied into an error.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { AssetValidationError } from "./ApiRecords.js"

const fields = {
  message: Schema.String
}

/**
 * A resource (dandiset, version, asset, zarr entry, …) does not exist or is not visible.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>("@dandi-effect/core/NotFoundError")(
  "NotFoundError",
  { ...fields, resource: Schema.String, id: Schema.String }
) {}

/**
 * 401: no credentials, or the token was rejected.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>(
  "@dandi-effect/core/AuthenticationError"
)("AuthenticationError", { ...fields, url: Schema.optional(Schema.String) }) {}

/**
 * 403: authenticated, but not allowed (not an owner, account not approved, embargoed data).
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionError extends Schema.TaggedError<PermissionError>("@dandi-effect/core/PermissionError")(
  "PermissionError",
  { ...fields, method: Schema.String, url: Schema.String, detail: Schema.String }
) {}

/**
 * 409 / 423: the request conflicts with the archive's current state (path taken, publish pending, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConflictError extends Schema.TaggedError<ConflictError>("@dandi-effect/core/ConflictError")(
  "ConflictError",
  { ...fields, status: Schema.Number, method: Schema.String, url: Schema.String, detail: Schema.String }
) {}

/**
 * Any other 4xx the server gave (400 validation errors, 405 on published versions, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestRejectedError extends Schema.TaggedError<RequestRejectedError>(
  "@dandi-effect/core/RequestRejectedError"
)("RequestRejectedError", {
  ...fields,
  status: Schema.Number,
  method: Schema.String,
  url: Schema.String,
  detail: Schema.String
}) {}

/**
 * 5xx after the retry policy gave up.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@dandi-effect/core/ServerError")("ServerError", {
  ...fields,
  status: Schema.Number,
  method: Schema.String,
  url: Schema.String,
  detail: Schema.String
}) {}

/**
 * The request never got a complete answer: DNS, refused, reset, timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@dandi-effect/core/TransportError")(
  "TransportError",
  {
    ...fields,
    method: Schema.String,
    url: Schema.String,
    reason: Schema.Literal("Connection", "Timeout", "Aborted", "Other")
  }
) {}

/**
 * A 2xx body that is not what the API promises (HTML, malformed JSON, wrong field types).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>(
  "@dandi-effect/core/ResponseDecodeError"
)("ResponseDecodeError", {
  ...fields,
  method: Schema.String,
  url: Schema.String,
  status: Schema.Number,
  excerpt: Schema.String
}) {}

/**
 * The server's metadata schema version is incompatible with the client's.
 *
 * @since 0.1.0
 * @category errors
 */
export class SchemaVersionError extends Schema.TaggedError<SchemaVersionError>(
  "@dandi-effect/core/SchemaVersionError"
)("SchemaVersionError", { ...fields, server: Schema.String, client: Schema.String }) {}

/**
 * One validation problem the server reports (`field`, `message`, and for assets the `path`).
 *
 * @since 0.1.0
 * @category errors
 */
export const ValidationProblem = Schema.Struct(AssetValidationError.fields)

/**
 * Waiting for validation, publication or ingestion did not finish in time. Carries the version
 * and the problems the server reported last, so the caller can fix them.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationTimeout extends Schema.TaggedError<ValidationTimeout>("@dandi-effect/core/ValidationTimeout")(
  "ValidationTimeout",
  {
    ...fields,
    dandisetId: Schema.String,
    status: Schema.String,
    versionId: Schema.optional(Schema.String),
    versionValidationErrors: Schema.optional(Schema.Array(ValidationProblem)),
    assetValidationErrors: Schema.optional(Schema.Array(ValidationProblem))
  }
) {}

/**
 * The uploader refused a file before sending any byte, because the archive would refuse it (or
 * the SDK cannot upload it yet, or the caller's `existing: "error"` policy forbids replacing an
 * asset: `asset-exists`): `rule` names why.
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadRefusedError extends Schema.TaggedError<UploadRefusedError>("@dandi-effect/core/UploadRefusedError")(
  "UploadRefusedError",
  {
    ...fields,
    path: Schema.String,
    rule: Schema.Literal(
      "path-grammar",
      "empty-file",
      "zarr",
      "partial-download",
      "size-changed",
      "not-a-file",
      "asset-exists"
    )
  }
) {}

/**
 * Bytes did not hash to the digest the archive (or the caller) expects.
 *
 * @since 0.1.0
 * @category errors
 */
export class DigestMismatch extends Schema.TaggedError<DigestMismatch>("@dandi-effect/core/DigestMismatch")(
  "DigestMismatch",
  {
    ...fields,
    algorithm: Schema.String,
    expected: Schema.String,
    actual: Schema.String,
    path: Schema.optional(Schema.String)
  }
) {}

/**
 * A data object larger than S3 allows (5 TiB) or otherwise impossible to plan.
 *
 * @since 0.1.0
 * @category errors
 */
export class ObjectTooLargeError extends Schema.TaggedError<ObjectTooLargeError>(
  "@dandi-effect/core/ObjectTooLargeError"
)("ObjectTooLargeError", { ...fields, size: Schema.Number, limit: Schema.Number }) {}

/**
 * A path from a listing or the user that would escape its target directory or is malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsafePathError extends Schema.TaggedError<UnsafePathError>("@dandi-effect/core/UnsafePathError")(
  "UnsafePathError",
  { ...fields, path: Schema.String }
) {}

/**
 * A resource identifier (URL, `DANDI:…`, `dandi://…`) that could not be understood.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownUrlError extends Schema.TaggedError<UnknownUrlError>("@dandi-effect/core/UnknownUrlError")(
  "UnknownUrlError",
  { ...fields, input: Schema.String }
) {}

/**
 * An instance name or URL that is neither known nor discoverable.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownInstanceError extends Schema.TaggedError<UnknownInstanceError>(
  "@dandi-effect/core/UnknownInstanceError"
)("UnknownInstanceError", { ...fields, instance: Schema.String }) {}

/**
 * A target that names a different archive than the instance the user chose. The chosen
 * instance's key goes only to that instance, so such a target is refused rather than read with
 * it (or without it, silently).
 *
 * @since 0.1.0
 * @category errors
 */
export class InstanceMismatchError extends Schema.TaggedError<InstanceMismatchError>(
  "@dandi-effect/core/InstanceMismatchError"
)("InstanceMismatchError", { ...fields, target: Schema.String, instance: Schema.String }) {}

/**
 * Local data could not be read (missing file, permission, short read).
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalDataError extends Schema.TaggedError<LocalDataError>("@dandi-effect/core/LocalDataError")(
  "LocalDataError",
  { ...fields, path: Schema.String, cause: Schema.optional(Schema.Defect) }
) {}

/**
 * A checksum string that is not `{md5}-{count}--{size}`.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidZarrChecksum extends Schema.TaggedError<InvalidZarrChecksum>("@dandi-effect/core/InvalidZarrChecksum")(
  "InvalidZarrChecksum",
  { ...fields, checksum: Schema.String }
) {}

/**
 * Two entries of one directory with the same name: the input is not a tree.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateZarrEntry extends Schema.TaggedError<DuplicateZarrEntry>("@dandi-effect/core/DuplicateZarrEntry")(
  "DuplicateZarrEntry",
  { ...fields, path: Schema.String }
) {}

/**
 * A glob pattern `RemoteZarrEntry.match` cannot use (absolute or empty).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPatternError extends Schema.TaggedError<InvalidPatternError>("@dandi-effect/core/InvalidPatternError")(
  "InvalidPatternError",
  { ...fields, pattern: Schema.String }
) {}

/**
 * The object store refused a presigned URL because it has expired (S3's 403 `AccessDenied`
 * "Request has expired"). Nothing is wrong with the request itself: ask the archive for a fresh
 * URL (a new download redirect, new upload part URLs) and send it again.
 *
 * @since 0.1.0
 * @category errors
 */
export class PresignedUrlExpired extends Schema.TaggedError<PresignedUrlExpired>(
  "@dandi-effect/core/PresignedUrlExpired"
)("PresignedUrlExpired", { ...fields, method: Schema.String, url: Schema.String }) {}

/**
 * The multipart upload a part or completion was sent for no longer exists (S3's
 * `NoSuchUpload`): it was completed, aborted or expired. Start the upload again.
 *
 * @since 0.1.0
 * @category errors
 */
export class MultipartUploadNotFound extends Schema.TaggedError<MultipartUploadNotFound>(
  "@dandi-effect/core/MultipartUploadNotFound"
)("MultipartUploadNotFound", { ...fields, method: Schema.String, url: Schema.String }) {}

/**
 * Any other refusal of the object store, with S3's error `code` (`AccessDenied`,
 * `SignatureDoesNotMatch`, `NoSuchKey`, `InvalidRange`, `InvalidPart`, `BadDigest`, …; for a
 * body-less answer such as a HEAD, the status name: `Forbidden`, `NotFound`).
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageError extends Schema.TaggedError<StorageError>("@dandi-effect/core/StorageError")(
  "StorageError",
  { ...fields, status: Schema.Number, code: Schema.String, method: Schema.String, url: Schema.String }
) {}

/**
 * An identifier that cannot name anything on the archive (a dandiset id is six digits; asset and
 * zarr ids are version-4 UUIDs). Refused before any request is sent: check the id, or parse a
 * pasted URL or `DANDI:` reference with DandiUrl.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidIdentifierError extends Schema.TaggedError<InvalidIdentifierError>(
  "@dandi-effect/core/InvalidIdentifierError"
)("InvalidIdentifierError", { ...fields, kind: Schema.String, input: Schema.String }) {}

/**
 * Every error of the SDK.
 *
 * @since 0.1.0
 * @category models
 */
export type DandiError =
  | NotFoundError
  | AuthenticationError
  | PermissionError
  | ConflictError
  | RequestRejectedError
  | ServerError
  | TransportError
  | ResponseDecodeError
  | SchemaVersionError
  | ValidationTimeout
  | DigestMismatch
  | ObjectTooLargeError
  | UnsafePathError
  | UnknownUrlError
  | UnknownInstanceError
  | InstanceMismatchError
  | LocalDataError
  | InvalidZarrChecksum
  | DuplicateZarrEntry
  | InvalidPatternError
  | PresignedUrlExpired
  | MultipartUploadNotFound
  | StorageError
  | InvalidIdentifierError
  | UploadRefusedError

/**
 * @since 0.1.0
 * @category schemas
 */
export const DandiError = Schema.Union(
  NotFoundError,
  AuthenticationError,
  PermissionError,
  ConflictError,
  RequestRejectedError,
  ServerError,
  TransportError,
  ResponseDecodeError,
  SchemaVersionError,
  ValidationTimeout,
  DigestMismatch,
  ObjectTooLargeError,
  UnsafePathError,
  UnknownUrlError,
  UnknownInstanceError,
  InstanceMismatchError,
  LocalDataError,
  InvalidZarrChecksum,
  DuplicateZarrEntry,
  InvalidPatternError,
  PresignedUrlExpired,
  MultipartUploadNotFound,
  StorageError,
  InvalidIdentifierError,
  UploadRefusedError
)

const tags: ReadonlySet<string> = new Set(DandiError.members.map((member) => member._tag))

/**
 * True for any error of the SDK.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDandiError = (u: unknown): u is DandiError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

/**
 * The text of a failure from elsewhere (a Node or browser error, a server's detail) to quote
 * inside one of our messages: its message, white space and final full stops removed, so that
 * the sentence around it ends once.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeCause = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message
    : Predicate.hasProperty(cause, "message") && typeof cause.message === "string" ? cause.message
    : String(cause)
  return message.replace(/[\s.]+$/, "").trim()
}
