/**
 * The JSON shapes the DANDI Archive API sends and accepts, as Schema classes.
 *
 * Field names are the API's own (snake_case, and the hyphenated `cli-*` keys of `/info/`), so
 * `--json` output and round trips are exact. Decoding checks types; unknown keys are dropped,
 * except on asset records and metadata objects, where they are kept so that re-encoding gives
 * back exactly what the server sent.
 *
 * Timestamps stay the wire strings: the server sends microseconds and a JS `Date` keeps only
 * milliseconds, so a `Date` is offered through getters (`createdAt`, …) and never stored.
 *
 * Sizes and counts are JS numbers. They are exact up to 2^53 bytes (8 PiB); JSON.parse has
 * already rounded anything larger before a schema sees it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const id = (name: string) => `@dandi-effect/core/ApiRecords/${name}`

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/**
 * Parses a server timestamp into a Date. Accepts the DRF form (`2024-02-17T18:00:59.741000Z`),
 * Python isoformat with an offset, and the space-separated zarr `LastModified` form. Fractions
 * beyond milliseconds are cut, because `Date` cannot hold them.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseTimestamp = (text: string): Date => {
  const normalised = text.trim().replace(" ", "T").replace(/(\.\d{3})\d+/, "$1")
  return new Date(normalised)
}

/**
 * An ISO-8601 timestamp, kept as the exact string the server sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.String.pipe(
  Schema.filter((text) => !Number.isNaN(parseTimestamp(text).getTime()) || `an ISO-8601 timestamp, got ${JSON.stringify(text)}`),
  Schema.annotations({ identifier: "Timestamp" })
)

/**
 * A byte size or a count: a non-negative integer. Not limited to 2^53 (the archive's own tests use
 * 10^16), but exact only up to it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Count = Schema.Number.pipe(
  Schema.filter((n) => (Number.isInteger(n) && n >= 0) || `a non-negative integer, got ${n}`),
  Schema.annotations({ identifier: "Count" })
)

/**
 * Any JSON object, kept verbatim (key order included).
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
/**
 * @since 0.1.0
 * @category models
 */
export type JsonObject = typeof JsonObject.Type

/**
 * A struct that keeps undeclared keys on decode and encode. Its static type lists the declared
 * fields only, because `Schema.Class` accepts record-less structs only; at run time the index
 * signature is there and the undeclared keys survive a round trip.
 *
 * @since 0.1.0
 * @category schemas
 */
export const openStruct = <Fields extends Schema.Struct.Fields>(fields: Fields): Schema.Struct<Fields> =>
  Schema.Struct(fields, Schema.Record({ key: Schema.String, value: Schema.Unknown })) as unknown as Schema.Struct<Fields>

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const VersionStatus = Schema.Literal("Pending", "Validating", "Valid", "Invalid", "Publishing", "Published")
/**
 * @since 0.1.0
 * @category models
 */
export type VersionStatus = typeof VersionStatus.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const EmbargoStatus = Schema.Literal("OPEN", "EMBARGOED", "UNEMBARGOING")
/**
 * @since 0.1.0
 * @category models
 */
export type EmbargoStatus = typeof EmbargoStatus.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const ZarrStatus = Schema.Literal("Pending", "Uploaded", "Ingesting", "Complete")
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrStatus = typeof ZarrStatus.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const AssetStatus = Schema.Literal("Pending", "Validating", "Valid", "Invalid")
/**
 * @since 0.1.0
 * @category models
 */
export type AssetStatus = typeof AssetStatus.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const UserStatus = Schema.Literal("INCOMPLETE", "PENDING", "APPROVED", "REJECTED")
/**
 * @since 0.1.0
 * @category models
 */
export type UserStatus = typeof UserStatus.Type

// ---------------------------------------------------------------------------------------------
// Dandisets and versions
// ---------------------------------------------------------------------------------------------

const dandisetSummaryFields = {
  identifier: Schema.String,
  created: Timestamp,
  modified: Timestamp,
  contact_person: Schema.String,
  embargo_status: EmbargoStatus,
  star_count: Schema.optional(Count),
  is_starred: Schema.optional(Schema.Boolean)
}

/**
 * The seven scalar keys of a dandiset, as nested inside a version list item.
 *
 * @since 0.1.0
 * @category schemas
 */
export class DandisetSummary extends Schema.Class<DandisetSummary>(id("DandisetSummary"))(dandisetSummaryFields) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
}

/**
 * A version as nested in a dandiset list item: exactly these seven keys.
 *
 * @since 0.1.0
 * @category schemas
 */
export class VersionSummary extends Schema.Class<VersionSummary>(id("VersionSummary"))({
  version: Schema.String,
  name: Schema.String,
  asset_count: Count,
  size: Count,
  status: VersionStatus,
  created: Timestamp,
  modified: Timestamp
}) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
}

/**
 * A version list item (`GET /dandisets/{id}/versions/`), and the nested versions of a dandiset
 * detail (which lack `dandiset`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class VersionRecord extends VersionSummary.extend<VersionRecord>(id("VersionRecord"))({
  active_uploads: Schema.optional(Count),
  dandiset: Schema.optional(DandisetSummary),
  release_notes: Schema.optional(Schema.String)
}) {}

/**
 * An asset-level metadata problem the server reports; `path` names the asset when the server
 * gives it. The one definition: `Version.RemoteAssetValidationError` is this class.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AssetValidationError extends Schema.Class<AssetValidationError>(id("AssetValidationError"))({
  field: Schema.String,
  message: Schema.String,
  path: Schema.optional(Schema.NullOr(Schema.String))
}) {
  /** The problem in the API's field names, as the server sent it. */
  jsonDict(): typeof AssetValidationError.Encoded {
    return Schema.encodeSync(AssetValidationError)(this)
  }
}

/**
 * A version-level metadata problem the server reports. The one definition:
 * `Version.RemoteValidationError` is this class.
 *
 * @since 0.1.0
 * @category schemas
 */
export class VersionValidationError extends Schema.Class<VersionValidationError>(id("VersionValidationError"))({
  field: Schema.String,
  message: Schema.String
}) {
  /** The problem in the API's field names, as the server sent it. */
  jsonDict(): typeof VersionValidationError.Encoded {
    return Schema.encodeSync(VersionValidationError)(this)
  }
}

/**
 * `GET .../versions/{v}/info/` and the response of a metadata PUT. `metadata` is the raw
 * dandiset metadata; decode it with `Metadata.decodeDandiset*` for typed access.
 *
 * @since 0.1.0
 * @category schemas
 */
export class VersionInfoRecord extends VersionRecord.extend<VersionInfoRecord>(id("VersionInfoRecord"))({
  asset_validation_errors: Schema.Array(AssetValidationError),
  version_validation_errors: Schema.Array(VersionValidationError),
  metadata: Schema.optional(JsonObject),
  contact_person: Schema.optional(Schema.String)
}) {}

/**
 * A dandiset: list item, detail, or create response. `draft_version` is null only in
 * pathological data. Nested versions are summaries in list form, fuller records in detail form;
 * both decode here.
 *
 * @since 0.1.0
 * @category schemas
 */
export class DandisetRecord extends Schema.Class<DandisetRecord>(id("DandisetRecord"))({
  ...dandisetSummaryFields,
  most_recent_published_version: Schema.NullOr(VersionRecord),
  draft_version: Schema.NullOr(VersionRecord)
}) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
  /** The version the Python client picks by default: the latest published one, else the draft. */
  get defaultVersion(): VersionRecord | null {
    return this.most_recent_published_version ?? this.draft_version
  }
}

/**
 * A dandiset from `GET /dandisets/search/`: a list item plus per-facet matching asset counts.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SearchDandisetRecord extends DandisetRecord.extend<SearchDandisetRecord>(id("SearchDandisetRecord"))({
  asset_counts: Schema.Record({ key: Schema.String, value: Count })
}) {}

// ---------------------------------------------------------------------------------------------
// Assets
// ---------------------------------------------------------------------------------------------

/**
 * An asset: list item (with `metadata` when listed with `metadata=true`), detail, or the response
 * of an asset POST/PUT. Exactly one of `blob` / `zarr` is non-null on the live API; backups may
 * omit the other key entirely, and unknown keys are kept, so a record re-encodes exactly.
 * `metadata` is the raw asset metadata; decode it with `Metadata.decodeAsset*` for typed access.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AssetRecord extends Schema.Class<AssetRecord>(id("AssetRecord"))(
  openStruct({
    asset_id: Schema.String,
    blob: Schema.optional(Schema.NullOr(Schema.String)),
    zarr: Schema.optional(Schema.NullOr(Schema.String)),
    path: Schema.String,
    size: Count,
    created: Timestamp,
    modified: Timestamp,
    metadata: Schema.optional(JsonObject)
  })
) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
  /** The blob id, or null for a zarr asset. */
  get blobId(): string | null {
    return this.blob ?? null
  }
  /** The zarr id, or null for a blob asset. */
  get zarrId(): string | null {
    return this.zarr ?? null
  }
  /**
   * `"blob"` or `"zarr"`; `"invalid"` when the record has both or neither (the Python client
   * refuses such records).
   */
  get assetType(): "blob" | "zarr" | "invalid" {
    const hasBlob = this.blob != null
    const hasZarr = this.zarr != null
    return hasBlob === hasZarr ? "invalid" : hasBlob ? "blob" : "zarr"
  }
}

/**
 * An asset record with exactly one of `blob` and `zarr`: what a listing can turn into an asset.
 * A record with both or neither fails on the field at fault, so a listing can name it (and, with
 * `onInvalid: "skip"`, go on without it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssetRecordWithContent = AssetRecord.pipe(
  Schema.filter((record) =>
    record.assetType !== "invalid" || {
      path: [record.blob != null ? "zarr" : "blob"],
      message: record.blob != null
        ? "both blob and zarr are set; an asset is one or the other"
        : "neither blob nor zarr is set; an asset needs one of them"
    }
  )
)

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class AssetValidationRecord extends Schema.Class<AssetValidationRecord>(id("AssetValidationRecord"))({
  status: AssetStatus,
  validation_errors: Schema.Array(VersionValidationError)
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class AssetPathAsset extends Schema.Class<AssetPathAsset>(id("AssetPathAsset"))({
  asset_id: Schema.String,
  url: Schema.String
}) {}

/**
 * One child of a folder (`GET .../assets/paths/`). `version` is the server's internal numeric key
 * of the version row, not the version string. `asset` is null for folders.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AssetPathEntry extends Schema.Class<AssetPathEntry>(id("AssetPathEntry"))({
  path: Schema.String,
  version: Schema.Number,
  aggregate_files: Count,
  aggregate_size: Count,
  asset: Schema.NullOr(AssetPathAsset)
}) {
  get isFolder(): boolean {
    return this.asset === null
  }
}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class WebdavFolderResource extends Schema.Class<WebdavFolderResource>(id("WebdavFolderResource"))({
  path: Schema.String,
  total_assets: Count,
  total_size: Count
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class WebdavFolderItem extends Schema.Class<WebdavFolderItem>(id("WebdavFolderItem"))({
  type: Schema.Literal("folder"),
  resource: WebdavFolderResource
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class WebdavAssetItem extends Schema.Class<WebdavAssetItem>(id("WebdavAssetItem"))({
  type: Schema.Literal("asset"),
  resource: AssetRecord
}) {}

/**
 * An item of `GET /webdav/assets/atpath/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebdavAtPathItem = Schema.Union(WebdavFolderItem, WebdavAssetItem)
/**
 * @since 0.1.0
 * @category models
 */
export type WebdavAtPathItem = typeof WebdavAtPathItem.Type

// ---------------------------------------------------------------------------------------------
// Zarr archives
// ---------------------------------------------------------------------------------------------

/**
 * A zarr archive. `checksum` is null until ingestion completes.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrRecord extends Schema.Class<ZarrRecord>(id("ZarrRecord"))({
  name: Schema.String,
  dandiset: Schema.String,
  zarr_id: Schema.String,
  status: ZarrStatus,
  checksum: Schema.NullOr(Schema.String),
  file_count: Count,
  size: Count
}) {}

/**
 * One object of a zarr listing. `LastModified` is space-separated with an offset
 * (`2024-05-01 14:03:22.123000+00:00`); `ETag` is unquoted.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrEntryRecord extends Schema.Class<ZarrEntryRecord>(id("ZarrEntryRecord"))({
  Key: Schema.String,
  LastModified: Timestamp,
  ETag: Schema.String,
  Size: Count
}) {
  get lastModifiedAt(): Date {
    return parseTimestamp(this.LastModified)
  }
}

// ---------------------------------------------------------------------------------------------
// Uploads and blobs
// ---------------------------------------------------------------------------------------------

/**
 * A blob (`POST /blobs/digest/`, upload validate). `sha256` is null until the server computed it.
 *
 * @since 0.1.0
 * @category schemas
 */
export class BlobRecord extends Schema.Class<BlobRecord>(id("BlobRecord"))({
  blob_id: Schema.String,
  etag: Schema.String,
  sha256: Schema.optional(Schema.NullOr(Schema.String)),
  size: Count
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class UploadPart extends Schema.Class<UploadPart>(id("UploadPart"))({
  part_number: Schema.Number,
  size: Count,
  upload_url: Schema.String
}) {}

/**
 * Response of `POST /uploads/initialize/`: presigned part URLs.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadInitResponse extends Schema.Class<UploadInitResponse>(id("UploadInitResponse"))({
  upload_id: Schema.String,
  parts: Schema.Array(UploadPart)
}) {}

/**
 * Response of `POST /uploads/{id}/complete/`: the client POSTs `body` (XML) to `complete_url`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadCompleteResponse extends Schema.Class<UploadCompleteResponse>(id("UploadCompleteResponse"))({
  complete_url: Schema.String,
  body: Schema.String
}) {}

/**
 * An unfinished upload (`GET /dandisets/{id}/uploads/`). `blob` is a presigned GET URL.
 *
 * @since 0.1.0
 * @category schemas
 */
export class IncompleteUploadRecord extends Schema.Class<IncompleteUploadRecord>(id("IncompleteUploadRecord"))({
  created: Timestamp,
  blob: Schema.String,
  upload_id: Schema.String,
  etag: Schema.String,
  size: Count
}) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
}

// ---------------------------------------------------------------------------------------------
// Users, stats, server info
// ---------------------------------------------------------------------------------------------

/**
 * A dandiset owner. `email` is null for anonymous callers.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OwnerRecord extends Schema.Class<OwnerRecord>(id("OwnerRecord"))({
  username: Schema.String,
  name: Schema.NullOr(Schema.String),
  email: Schema.optional(Schema.NullOr(Schema.String))
}) {}

/**
 * A user (`/users/me/`, `/users/search/`); no email.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserRecord extends Schema.Class<UserRecord>(id("UserRecord"))({
  username: Schema.String,
  name: Schema.NullOr(Schema.String),
  admin: Schema.Boolean,
  status: UserStatus
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class StatsRecord extends Schema.Class<StatsRecord>(id("StatsRecord"))({
  dandiset_count: Count,
  published_dandiset_count: Count,
  user_count: Count,
  size: Count
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class ServiceUrl extends Schema.Class<ServiceUrl>(id("ServiceUrl"))({
  url: Schema.String
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class ServerServices extends Schema.Class<ServerServices>(id("ServerServices"))({
  api: ServiceUrl,
  webui: Schema.optional(Schema.NullOr(ServiceUrl)),
  jupyterhub: Schema.optional(Schema.NullOr(ServiceUrl))
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class InstanceConfig extends Schema.Class<InstanceConfig>(id("InstanceConfig"))({
  instance_name: Schema.String,
  instance_identifier: Schema.NullOr(Schema.String),
  instance_url: Schema.NullOr(Schema.String),
  doi_prefix: Schema.NullOr(Schema.String),
  licenses: Schema.Array(Schema.String)
}) {}

/**
 * `GET /info/` (also `{gui}/server-info`). Only what dandi-cli requires is mandatory (`version`,
 * `services.api`, `cli-minimal-version`, `cli-bad-versions`); the GUI's `/server-info` sends less
 * than the API's `/info/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ServerInfo extends Schema.Class<ServerInfo>(id("ServerInfo"))({
  instance_config: Schema.optional(InstanceConfig),
  schema_version: Schema.optional(Schema.String),
  schema_url: Schema.optional(Schema.String),
  allowed_schema_versions: Schema.optional(Schema.Array(Schema.String)),
  version: Schema.String,
  "cli-minimal-version": Schema.String,
  "cli-requires-python": Schema.optional(Schema.String),
  "cli-bad-versions": Schema.Array(Schema.String),
  services: ServerServices
}) {}

// ---------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------

/**
 * The envelope of one page of a listing, the one definition the Paginator decodes with.
 * Page-number pages carry `count` (null after page 1 of the nested asset list: lazy pagination),
 * `next` and `previous` (absolute URLs or null); cursor pages (zarr files) have no `count`, and a
 * `next` link may lead from one style to the other, so every key but `results` may be absent.
 * Extra keys are dropped.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PageEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    count: Schema.optional(Schema.NullOr(Count)),
    next: Schema.optional(Schema.NullOr(Schema.String)),
    previous: Schema.optional(Schema.NullOr(Schema.String)),
    results: Schema.Array(item)
  })

/**
 * Cursor pagination (zarr file listing): the same envelope, without a count.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CursorEnvelope = PageEnvelope

/**
 * Response of star/unstar: the new star count.
 *
 * @since 0.1.0
 * @category schemas
 */
export class StarCountRecord extends Schema.Class<StarCountRecord>(id("StarCountRecord"))({
  count: Count
}) {}

// ---------------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------------

/**
 * A dandiset identifier: exactly six digits, zero-padded (`000123`). The server answers any other
 * form with an HTML 404, so check before sending.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DandisetIdentifier = Schema.String.pipe(
  Schema.pattern(/^\d{6}$/, { message: () => "a dandiset id is six digits, e.g. 000123" }),
  Schema.annotations({ identifier: "DandisetIdentifier" })
)

/**
 * A version identifier as the server routes it: `draft` or `0.YYMMDD.HHMM`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VersionIdentifier = Schema.String.pipe(
  Schema.pattern(/^(?:draft|0\.\d{6}\.\d{4})$/, {
    message: () => "a version is 'draft' or a published version like 0.240217.1830"
  }),
  Schema.annotations({ identifier: "VersionIdentifier" })
)

/**
 * An asset, blob or zarr id as the server routes it: a lower-case version-4 UUID.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceUuid = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, {
    message: () => "an asset, blob or zarr id is a lower-case version-4 UUID"
  }),
  Schema.annotations({ identifier: "ResourceUuid" })
)

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

/**
 * `POST /dandisets/` body (`?embargo=true|false` goes in the query).
 *
 * @since 0.1.0
 * @category schemas
 */
export class CreateDandisetRequest extends Schema.Class<CreateDandisetRequest>(id("CreateDandisetRequest"))({
  name: Schema.String,
  metadata: JsonObject
}) {}

/**
 * `PUT /dandisets/{id}/versions/draft/` body. dandi-cli sends `metadata.name` (or `""`) as `name`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UpdateVersionRequest extends Schema.Class<UpdateVersionRequest>(id("UpdateVersionRequest"))({
  name: Schema.String,
  metadata: JsonObject
}) {}

/**
 * `POST .../versions/draft/publish/` body; an empty body is fine.
 *
 * @since 0.1.0
 * @category schemas
 */
export class PublishRequest extends Schema.Class<PublishRequest>(id("PublishRequest"))({
  release_notes: Schema.optional(Schema.String)
}) {}

/**
 * `POST .../assets/` and `PUT .../assets/{id}/` body: metadata (with `path`) and exactly one of
 * `blob_id` / `zarr_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AssetWriteRequest extends Schema.Class<AssetWriteRequest>(id("AssetWriteRequest"))({
  metadata: JsonObject,
  blob_id: Schema.optional(Schema.String),
  zarr_id: Schema.optional(Schema.String)
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class DigestBody extends Schema.Class<DigestBody>(id("DigestBody"))({
  algorithm: Schema.String,
  value: Schema.String
}) {}

/**
 * `POST /uploads/initialize/` body. `contentSize` must be at least 1; `digest.algorithm` must be
 * `dandi:dandi-etag`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadInitRequest extends Schema.Class<UploadInitRequest>(id("UploadInitRequest"))({
  contentSize: Count,
  digest: DigestBody,
  dandiset: Schema.String
}) {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export class CompletedPart extends Schema.Class<CompletedPart>(id("CompletedPart"))({
  part_number: Schema.Number,
  size: Count,
  etag: Schema.String
}) {}

/**
 * `POST /uploads/{id}/complete/` body (parts in any order; the server sorts them).
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadCompleteRequest extends Schema.Class<UploadCompleteRequest>(id("UploadCompleteRequest"))({
  parts: Schema.Array(CompletedPart)
}) {}

/**
 * `POST /zarr/` body.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrCreateRequest extends Schema.Class<ZarrCreateRequest>(id("ZarrCreateRequest"))({
  name: Schema.String,
  dandiset: Schema.String
}) {}

/**
 * One item of a `POST /zarr/{id}/files/` body (at most 255 per request in dandi-cli).
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrUploadItem extends Schema.Class<ZarrUploadItem>(id("ZarrUploadItem"))({
  path: Schema.String,
  base64md5: Schema.String
}) {}

/**
 * One item of a `DELETE /zarr/{id}/files/` body (at most 100 per request in dandi-cli).
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrDeleteItem extends Schema.Class<ZarrDeleteItem>(id("ZarrDeleteItem"))({
  path: Schema.String
}) {}

/**
 * One item of a `PUT /dandisets/{id}/users/` body.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OwnerUpdateItem extends Schema.Class<OwnerUpdateItem>(id("OwnerUpdateItem"))({
  username: Schema.String
}) {}
