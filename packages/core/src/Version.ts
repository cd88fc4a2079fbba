/**
 * A dandiset version as the API describes it, and the richer `/info/` form that carries the
 * validation errors blocking publication. Field names are camelCase in TypeScript; the schemas
 * decode from and encode back to the API's own snake_case keys, so `jsonDict()` round-trips the
 * server's JSON exactly (timestamps stay the server's strings: they carry microseconds, which a JS
 * `Date` would lose).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { parseTimestamp, VersionStatus } from "./ApiRecords.js"
import type { VersionRecord } from "./ApiRecords.js"

export { VersionStatus }

/** A version-level metadata problem reported by the server. */
export class RemoteValidationError extends Schema.Class<RemoteValidationError>(
  "@dandi-effect/core/RemoteValidationError"
)({
  field: Schema.String,
  message: Schema.String
}) {
  /** The record in the API's field names. */
  jsonDict(): typeof RemoteValidationError.Encoded {
    return Schema.encodeSync(RemoteValidationError)(this)
  }
}

/** An asset-level metadata problem; `path` names the asset when the server gives it. */
export class RemoteAssetValidationError extends Schema.Class<RemoteAssetValidationError>(
  "@dandi-effect/core/RemoteAssetValidationError"
)({
  field: Schema.String,
  message: Schema.String,
  path: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {
  jsonDict(): typeof RemoteAssetValidationError.Encoded {
    return Schema.encodeSync(RemoteAssetValidationError)(this)
  }
}

const versionFields = {
  identifier: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("version")),
  name: Schema.String,
  assetCount: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("asset_count")),
  size: Schema.Number,
  created: Schema.String,
  modified: Schema.String,
  status: VersionStatus
}

/** One version of a dandiset: `draft` or a published `0.YYMMDD.HHMM` identifier. */
export class Version extends Schema.Class<Version>("@dandi-effect/core/Version")(versionFields) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
  get isDraft(): boolean {
    return this.identifier === "draft"
  }
  override toString(): string {
    return this.identifier
  }
  static fromRecord(record: VersionRecord): Version {
    return new Version({
      identifier: record.version,
      name: record.name,
      assetCount: record.asset_count,
      size: record.size,
      created: record.created,
      modified: record.modified,
      status: record.status
    })
  }
  /** `{version, name, asset_count, size, created, modified, status}` as the API spells them. */
  jsonDict(): typeof Version.Encoded {
    return Schema.encodeSync(Version)(this)
  }
}

/** A version plus the validation errors the server currently reports for it (`.../info/`). */
export class VersionInfo extends Schema.Class<VersionInfo>("@dandi-effect/core/VersionInfo")({
  ...versionFields,
  assetValidationErrors: Schema.propertySignature(Schema.Array(RemoteAssetValidationError)).pipe(
    Schema.fromKey("asset_validation_errors")
  ),
  versionValidationErrors: Schema.propertySignature(Schema.Array(RemoteValidationError)).pipe(
    Schema.fromKey("version_validation_errors")
  )
}) {
  get createdAt(): Date {
    return parseTimestamp(this.created)
  }
  get modifiedAt(): Date {
    return parseTimestamp(this.modified)
  }
  override toString(): string {
    return this.identifier
  }
  /** The plain version part, as listings return it. */
  get version(): Version {
    return new Version({
      identifier: this.identifier,
      name: this.name,
      assetCount: this.assetCount,
      size: this.size,
      created: this.created,
      modified: this.modified,
      status: this.status
    })
  }
  jsonDict(): typeof VersionInfo.Encoded {
    return Schema.encodeSync(VersionInfo)(this)
  }
}

export const decodeVersion = Schema.decodeUnknown(Version)
export const decodeVersionInfo = Schema.decodeUnknown(VersionInfo)
