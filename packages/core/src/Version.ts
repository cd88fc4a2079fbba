/**
 * A dandiset version as the API describes it, and the richer `/info/` form that carries the
 * validation errors blocking publication. The wire objects are decoded once, by
 * `ApiRecords.VersionRecord` / `ApiRecords.VersionInfoRecord`; these records are built from them
 * (`fromRecord`) with camelCase names, and `jsonDict()` gives back the server's JSON exactly
 * (timestamps stay the server's strings: they carry microseconds, which a JS `Date` would lose).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AssetValidationError, parseTimestamp, VersionInfoRecord, VersionRecord, VersionStatus, VersionValidationError } from "./ApiRecords.js"
import type { VersionSummary } from "./ApiRecords.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * @since 0.1.0
   * @category schemas
   */
  VersionStatus
}

/**
 * A version-level metadata problem reported by the server (dandi-cli's name for
 * `ApiRecords.VersionValidationError`, the same class).
 *
 * @since 0.1.0
 * @category models
 */
export const RemoteValidationError = VersionValidationError

/**
 * @since 0.1.0
 * @category models
 */
export type RemoteValidationError = VersionValidationError

/**
 * An asset-level metadata problem; `path` names the asset when the server gives it (dandi-cli's
 * name for `ApiRecords.AssetValidationError`, the same class).
 *
 * @since 0.1.0
 * @category models
 */
export const RemoteAssetValidationError = AssetValidationError

/**
 * @since 0.1.0
 * @category models
 */
export type RemoteAssetValidationError = AssetValidationError

/**
 * A version in the API's field names: `{version, name, asset_count, size, created, modified,
 * status}`.
 *
 * @since 0.1.0
 * @category models
 */
export type VersionJson = typeof VersionSummary.Encoded

/**
 * The fields of a version.
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionFields {
  readonly identifier: string
  readonly name: string
  readonly assetCount: number
  readonly size: number
  readonly created: string
  readonly modified: string
  readonly status: VersionStatus
}

const fieldsOf = (record: VersionSummary): VersionFields => ({
  identifier: record.version,
  name: record.name,
  assetCount: record.asset_count,
  size: record.size,
  created: record.created,
  modified: record.modified,
  status: record.status
})

const jsonOf = (version: VersionFields): VersionJson => ({
  version: version.identifier,
  name: version.name,
  asset_count: version.assetCount,
  size: version.size,
  created: version.created,
  modified: version.modified,
  status: version.status
})

/**
 * One version of a dandiset: `draft` or a published `0.YYMMDD.HHMM` identifier.
 *
 * @since 0.1.0
 * @category models
 */
export class Version extends Data.Class<VersionFields> {
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
  /** From the decoded wire record (a listing item, or a version nested in a dandiset). */
  static fromRecord(record: VersionSummary): Version {
    return new Version(fieldsOf(record))
  }
  /** `{version, name, asset_count, size, created, modified, status}` as the API spells them. */
  jsonDict(): VersionJson {
    return jsonOf(this)
  }
}

/**
 * A version in the API's field names plus its validation errors.
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionInfoJson extends VersionJson {
  readonly asset_validation_errors: ReadonlyArray<typeof AssetValidationError.Encoded>
  readonly version_validation_errors: ReadonlyArray<typeof VersionValidationError.Encoded>
}

/**
 * A version plus the validation errors the server currently reports for it (`.../info/`).
 *
 * @since 0.1.0
 * @category models
 */
export class VersionInfo extends Data.Class<
  VersionFields & {
    readonly assetValidationErrors: ReadonlyArray<RemoteAssetValidationError>
    readonly versionValidationErrors: ReadonlyArray<RemoteValidationError>
  }
> {
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
  /** From the decoded `/info/` record. */
  static fromRecord(record: VersionInfoRecord): VersionInfo {
    return new VersionInfo({
      ...fieldsOf(record),
      assetValidationErrors: record.asset_validation_errors,
      versionValidationErrors: record.version_validation_errors
    })
  }
  jsonDict(): VersionInfoJson {
    return {
      ...jsonOf(this),
      asset_validation_errors: this.assetValidationErrors.map((error) => error.jsonDict()),
      version_validation_errors: this.versionValidationErrors.map((error) => error.jsonDict())
    }
  }
}

/**
 * Decodes a version from the API's JSON (through `ApiRecords.VersionRecord`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeVersion = (input: unknown) =>
  Effect.map(Schema.decodeUnknown(VersionRecord)(input), Version.fromRecord)

/**
 * Decodes a version's `/info/` from the API's JSON (through `ApiRecords.VersionInfoRecord`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeVersionInfo = (input: unknown) =>
  Effect.map(Schema.decodeUnknown(VersionInfoRecord)(input), VersionInfo.fromRecord)
