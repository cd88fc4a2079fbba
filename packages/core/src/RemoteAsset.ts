/**
 * Assets as records: the API's asset record plus where it lives. `BaseRemote*Asset` comes from the
 * top-level `/assets/{id}/` routes and knows nothing of a dandiset; `Remote*Asset` was listed
 * through a dandiset version and adds `dandisetId` / `versionId`. Records are immutable values:
 * every method returns an Effect or Stream, so nothing runs until it is run, and metadata a
 * listing brought along inline (`metadata=1`) is used without a request. An asset carries the
 * backend of the client that made it, so the methods that talk to the API need no service;
 * those that move bytes need the `Downloader` (or `ZarrTransfers`), services of their own. The
 * backend is not part of the record's value: it is not compared, hashed, printed or serialised.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Scope from "effect/Scope"
import type { AssetRecord, JsonObject } from "./ApiRecords.js"
import type { ApiError } from "./HttpErrors.js"
import type { ByteSink } from "./ByteSink.js"
import type { DandiError, ValidationTimeout } from "./DandiError.js"
import { NotFoundError, ResponseDecodeError } from "./DandiError.js"
import * as DownloadModel from "./internal/download/model.js"
import * as Downloader from "./internal/download/tag.js"
import * as Backend from "./internal/recordBackend.js"
import type { ApiLocation, AssetBacking, CheckedAssetRecord, RecordBackend } from "./internal/recordBackend.js"
import { pyRepr } from "./internal/text.js"
import * as Metadata from "./Metadata.js"
import type { RangedReader, RangedReaderOptions } from "./RangedReader.js"
import { RemoteZarrEntry } from "./RemoteZarrEntry.js"
import { ZarrTransfers } from "./internal/zarrTransfer/tag.js"
import type { RmfilesOptions } from "./internal/zarrTransfer/tag.js"

/**
 * What backs an asset's bytes (dandi-cli `AssetType`: BLOB = 1, ZARR = 2).
 *
 * @since 0.1.0
 * @category constants
 */
export const AssetType = { BLOB: 1, ZARR: 2 } as const
/**
 * @since 0.1.0
 * @category models
 */
export type AssetType = typeof AssetType[keyof typeof AssetType]

/**
 * The digests an asset's metadata may carry, keyed as in `metadata.digest` (Metadata.DigestType).
 *
 * @since 0.1.0
 * @category models
 */
export type DigestType = Metadata.DigestType

/**
 * @since 0.1.0
 * @category models
 */
export interface AssetDigest {
  readonly algorithm: DigestType | (string & {})
  readonly value: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentUrlOptions {
  /** First `contentUrl` the regex finds a match in (search, not full match). Default: any. */
  readonly regex?: string | RegExp | undefined
  /** `true`: follow every redirect; a number: at most that many hops. Default: none. */
  readonly followRedirects?: boolean | number | undefined
  /** Drop the query string (presigned credentials) from the result. */
  readonly stripQuery?: boolean | undefined
}

interface AssetFields {
  readonly record: AssetRecord
}

/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * Python `repr` of a string, for messages worded like dandi-cli's.
   *
   * @since 0.1.0
   * @category utils
   */
  pyRepr
} from "./internal/text.js"

/** The fields every asset's `jsonDict` starts with, in the API's order. */
const commonJson = (asset: AssetBase): AssetJsonBase => ({
  asset_id: asset.identifier,
  path: asset.path,
  size: asset.size,
  created: asset.created,
  modified: asset.modified
})

abstract class AssetBase extends Data.Class<AssetFields & { readonly location: ApiLocation }> {
  abstract readonly assetType: AssetType
  /** The operations this record calls: those of the client that made it (not part of its value). */
  declare readonly backend: RecordBackend

  constructor(backend: RecordBackend, fields: AssetFields) {
    super({ location: backend.location, ...fields })
    Backend.attach(this, backend)
  }

  /** The asset id (`asset_id`); a metadata change mints a new one. */
  get identifier(): string {
    return this.record.asset_id
  }
  get path(): string {
    return this.record.path
  }
  get size(): number {
    return this.record.size
  }
  /** The server's timestamp string (microseconds kept); see `createdAt` for a Date. */
  get created(): string {
    return this.record.created
  }
  get modified(): string {
    return this.record.modified
  }
  get createdAt(): Date {
    return this.record.createdAt
  }
  get modifiedAt(): Date {
    return this.record.modifiedAt
  }
  /** Metadata the listing or info response carried inline, if any. */
  get inlineMetadata(): Option.Option<JsonObject> {
    return Option.fromNullable(this.record.metadata)
  }
  get digestType(): DigestType {
    return this.assetType === AssetType.ZARR ? "dandi:dandi-zarr-checksum" : "dandi:dandi-etag"
  }
  /** Path of the asset's own API resource, relative to the API base. */
  get apiPath(): string {
    return `/assets/${this.identifier}/`
  }
  get apiUrl(): string {
    return `${this.location.apiUrl}${this.apiPath}`
  }
  /** `{api}/assets/{id}/download/`: the route every download goes through. */
  get baseDownloadUrl(): string {
    return `${this.location.apiUrl}/assets/${this.identifier}/download/`
  }
  override toString(): string {
    return `${this.location.instanceName.toUpperCase()}:assets/${this.identifier}`
  }

  /** The metadata as stored on the server, untyped. Uses inline metadata when present. */
  getRawMetadata(): Effect.Effect<JsonObject, ApiError> {
    const inline = this.record.metadata
    if (inline !== undefined) return Effect.succeed(inline)
    return this.backend.fetchAssetMetadata(this.apiPath, `No such asset: ${String(this)}`)
  }

  /**
   * The metadata as the typed dandischema `Asset` model. Fails with ResponseDecodeError naming
   * the misfits; drafts may hold metadata that does not fit (see `getMetadataLenient`).
   */
  getMetadata(): Effect.Effect<Metadata.AssetMetadata, ApiError> {
    return Effect.flatMap(this.getRawMetadata(), (raw) => {
      const result = Metadata.decodeAssetMetadataLenient(raw)
      return result.issues.length === 0
        ? Effect.succeed(result.value as Metadata.AssetMetadata)
        : Effect.fail(metadataMisfit(String(this), this.apiUrl, "Asset", result.issues))
    })
  }

  /** The metadata fields that fit the typed model, plus a list of those that do not. Never fails to decode. */
  getMetadataLenient(): Effect.Effect<Metadata.LenientResult<Metadata.AssetMetadata>, ApiError> {
    return Effect.map(this.getRawMetadata(), Metadata.decodeAssetMetadataLenient)
  }

  /** The value of one digest from the metadata; defaults to the asset's primary digest type. */
  getRawDigest(digestType?: DigestType | (string & {})): Effect.Effect<string, ApiError> {
    const wanted = digestType ?? this.digestType
    return Effect.flatMap(this.getRawMetadata(), (metadata) =>
      Either.mapLeft(
        Metadata.rawDigest(metadata, wanted),
        () =>
          new NotFoundError({
            resource: "digest",
            id: wanted,
            message: `No ${wanted} digest found in metadata of ${String(this)}; the server may not have computed it yet`
          })
      ))
  }

  /** The primary digest: dandi-etag for blobs, dandi-zarr-checksum for zarrs. */
  getDigest(): Effect.Effect<AssetDigest, ApiError> {
    return Effect.map(this.getRawDigest(this.digestType), (value) => ({ algorithm: this.digestType, value }))
  }

  /**
   * The first `contentUrl` of the metadata the regex matches, optionally resolved through its
   * redirects (HEAD; the API token never goes to another origin).
   */
  getContentUrl(options: ContentUrlOptions = {}): Effect.Effect<string, ApiError> {
    return Effect.gen(this, function*() {
      const metadata = yield* this.getRawMetadata()
      const regex = options.regex === undefined
        ? /.*/
        : typeof options.regex === "string"
        ? new RegExp(options.regex)
        : options.regex
      const found = yield* Either.mapLeft(
        Metadata.contentUrlMatching(metadata, regex),
        () =>
          new NotFoundError({
            resource: "contentUrl",
            id: String(regex),
            message: `No matching URL found in asset's contentUrl metadata field (asset ${String(this)}, pattern ${
              String(regex)
            })`
          })
      )
      const follow = options.followRedirects ?? false
      const resolved = follow === false || follow === 0 ? found : yield* this.backend.resolveRedirects(found, follow)
      return options.stripQuery === true ? stripQuery(resolved) : resolved
    })
  }
}

/**
 * The error for metadata that does not fit its typed model: one line, the first few misfits.
 *
 * @since 0.1.0
 * @category utils
 */
export const metadataMisfit = (
  subject: string,
  url: string,
  model: string,
  issues: ReadonlyArray<Metadata.MetadataIssue>
): ResponseDecodeError => {
  const listed = Metadata.formatIssues(issues.slice(0, 3)).split("\n").join("; ")
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""
  return new ResponseDecodeError({
    message: `Metadata of ${subject} does not fit the dandischema ${model} model: ${listed}${more}. Use getRawMetadata() or getMetadataLenient() to read it anyway.`,
    method: "GET",
    url,
    status: 200,
    excerpt: Metadata.formatIssues(issues)
  })
}

const stripQuery = (url: string): string => {
  const hash = url.indexOf("#")
  const fragment = hash === -1 ? "" : url.slice(hash)
  const beforeFragment = hash === -1 ? url : url.slice(0, hash)
  const query = beforeFragment.indexOf("?")
  return (query === -1 ? beforeFragment : beforeFragment.slice(0, query)) + fragment
}

/**
 * A blob-backed asset reached without its dandiset (`DandiApi.getAsset`).
 *
 * @since 0.1.0
 * @category models
 */
export class BaseRemoteBlobAsset extends AssetBase {
  readonly assetType = AssetType.BLOB
  /** The blob id. */
  get blob(): string {
    return this.record.blob ?? ""
  }
  /** `{asset_id, path, size, created, modified, blob}` as the API spells them. */
  jsonDict(): BlobAssetJson {
    return { ...commonJson(this), blob: this.blob }
  }

  /** What the Downloader needs: the download route, size, digests to verify, mtime. */
  downloadSpec(): Effect.Effect<DownloadModel.BlobDownload, ApiError> {
    return Effect.map(this.getRawMetadata(), (metadata) => DownloadModel.fromAssetData(this, metadata))
  }

  /**
   * The bytes `[start, end)` from storage (dandi-cli's `get_download_file_iter`), resumed from
   * the last byte received when the connection breaks. Not verified: see `downloadTo`.
   */
  download(
    options: { readonly start?: number | undefined; readonly end?: number | undefined } = {}
  ): Stream.Stream<Uint8Array, DandiError, Downloader.Downloader> {
    return Stream.unwrap(Effect.gen(this, function*() {
      const downloader = yield* Downloader.Downloader
      return downloader.bytes(yield* this.downloadSpec(), options)
    }))
  }

  /**
   * A verified, resumable download into `sink` (Node: `NodeFileSink.make(path)`, or
   * `NodeDownload.assetToFile`), as typed progress events ending in `Completed`.
   */
  downloadTo(sink: ByteSink): Stream.Stream<DownloadModel.DownloadEvent, DandiError, Downloader.Downloader> {
    return Stream.unwrap(Effect.gen(this, function*() {
      const downloader = yield* Downloader.Downloader
      return downloader.toSink(yield* this.downloadSpec(), sink)
    }))
  }

  /** Random access by ranged requests (dandi-cli's `as_readable`; Node adds file-like adapters in `NodeReadable`). */
  asReadable(
    options?: RangedReaderOptions
  ): Effect.Effect<RangedReader<DownloadModel.ReadError>, DandiError, Downloader.Downloader | Scope.Scope> {
    return Effect.gen(this, function*() {
      const downloader = yield* Downloader.Downloader
      return yield* downloader.reader(yield* this.downloadSpec(), options)
    })
  }
}

/**
 * A zarr-backed asset reached without its dandiset.
 *
 * @since 0.1.0
 * @category models
 */
export class BaseRemoteZarrAsset extends AssetBase {
  readonly assetType = AssetType.ZARR
  /** The zarr id. */
  get zarr(): string {
    return this.record.zarr ?? ""
  }
  jsonDict(): ZarrAssetJson {
    return { ...commonJson(this), zarr: this.zarr }
  }
  /** Every file of the zarr (optionally under a raw key prefix), in key order. */
  iterfiles(prefix?: string): Stream.Stream<RemoteZarrEntry, ApiError> {
    return this.backend.listZarrFiles(this.zarr, prefix).pipe(
      Stream.map((entry) => RemoteZarrEntry.fromWire(this.location.apiUrl, this.zarr, entry))
    )
  }
  /**
   * Deletes entries (keys or entries) in batches of 100; with `reingest` (the default) then has
   * the archive recompute the checksum and waits for it (dandi-cli's `rmfiles`).
   */
  rmfiles(
    entries: ReadonlyArray<string | RemoteZarrEntry>,
    options?: RmfilesOptions
  ): Effect.Effect<void, ApiError | ValidationTimeout, ZarrTransfers> {
    return Effect.flatMap(ZarrTransfers, (zarrs) =>
      zarrs.rmfiles(this.zarr, entries.map((entry) => typeof entry === "string" ? entry : entry.path), options))
  }
  /** The one file whose key is exactly `path`. */
  getEntryByPath(path: string): Effect.Effect<RemoteZarrEntry, ApiError> {
    return this.iterfiles(path).pipe(
      Stream.filter((entry) => entry.path === path),
      Stream.runCollect,
      Effect.flatMap((chunk) => {
        const entries = Array.from(chunk)
        return entries.length === 1
          ? Effect.succeed(entries[0]!)
          : Effect.fail(
            new NotFoundError({
              resource: "zarr entry",
              id: path,
              message: `No entry at path ${pyRepr(path)} in zarr ${this.zarr}; list the files with iterfiles()`
            })
          )
      })
    )
  }
}

interface VersionedFields {
  readonly dandisetId: string
  readonly versionId: string
}

const versionedApiPath = (asset: AssetBase & VersionedFields): string =>
  `/dandisets/${asset.dandisetId}/versions/${asset.versionId}/assets/${asset.identifier}/`

/** What backs an asset, as the archive's PUT names it. */
const backingOf = (asset: AssetBase): AssetBacking =>
  asset.assetType === AssetType.ZARR ? { zarrId: asset.record.zarr ?? "" } : { blobId: asset.record.blob ?? "" }

/** PUT new metadata for an asset of a version; the archive answers with a new asset (new id). */
const putMetadata = (
  asset: AssetBase & VersionedFields,
  metadata: JsonObject
): Effect.Effect<RemoteAsset, ApiError> =>
  asset.backend.updateAsset(
    asset.dandisetId,
    asset.versionId,
    asset.identifier,
    // dandi-cli sets schemaKey on the caller's dict; here the caller's object is left alone.
    { ...metadata, schemaKey: "Asset" },
    backingOf(asset)
  ).pipe(Effect.map((record) => fromCheckedRecord(asset.backend, asset.dandisetId, asset.versionId, record)))

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's constructor takes what its base takes
type AssetClass = abstract new(...args: Array<any>) => AssetBase

/**
 * An asset of a dandiset version, over either kind of asset: its versioned API path and the
 * writes, which differ between blob and zarr assets only in what backs them.
 */
const inVersion = <B extends AssetClass>(Base: B) => {
  abstract class InVersion extends Base {
    declare readonly dandisetId: string
    declare readonly versionId: string
    override get apiPath(): string {
      return versionedApiPath(this)
    }
    /** The versioned download URL (downloads themselves use `baseDownloadUrl`, as dandi-cli does). */
    get downloadUrl(): string {
      return `${this.location.apiUrl}${this.apiPath}download/`
    }
    /**
     * Replaces the asset's metadata, untyped (`schemaKey` is set to "Asset"). The archive mints a
     * new asset for the change: the returned record has the new id; this one is left as it was.
     */
    setRawMetadata(metadata: JsonObject): Effect.Effect<RemoteAsset, ApiError> {
      return putMetadata(this, metadata)
    }
    /** Replaces the metadata with a typed dandischema `Asset`; returns the new asset. */
    setMetadata(metadata: Metadata.AssetMetadata): Effect.Effect<RemoteAsset, ApiError> {
      return this.setRawMetadata(Metadata.encodeAssetMetadata(metadata) as JsonObject)
    }
    /** Moves the asset to `destination` (a new asset id); a taken path is a ConflictError and nothing changes. */
    rename(destination: string): Effect.Effect<RemoteAsset, ApiError> {
      return Effect.flatMap(this.getRawMetadata(), (metadata) => putMetadata(this, { ...metadata, path: destination }))
    }
    /** Removes the asset from the draft (its blob or zarr stays, as do published versions that hold it). */
    delete(): Effect.Effect<void, ApiError> {
      return this.backend.deleteAsset(this.dandisetId, this.versionId, this.identifier)
    }
  }
  return InVersion
}

/**
 * A blob-backed asset of a dandiset version.
 *
 * @since 0.1.0
 * @category models
 */
export class RemoteBlobAsset extends inVersion(BaseRemoteBlobAsset) {
  constructor(backend: RecordBackend, fields: AssetFields & VersionedFields) {
    super(backend, fields)
  }
}

/**
 * A zarr-backed asset of a dandiset version.
 *
 * @since 0.1.0
 * @category models
 */
export class RemoteZarrAsset extends inVersion(BaseRemoteZarrAsset) {
  constructor(backend: RecordBackend, fields: AssetFields & VersionedFields) {
    super(backend, fields)
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export type BaseRemoteAsset = BaseRemoteBlobAsset | BaseRemoteZarrAsset
/**
 * @since 0.1.0
 * @category models
 */
export type RemoteAsset = RemoteBlobAsset | RemoteZarrAsset

/**
 * @since 0.1.0
 * @category models
 */
export interface AssetJsonBase {
  readonly asset_id: string
  readonly path: string
  readonly size: number
  readonly created: string
  readonly modified: string
}
/**
 * @since 0.1.0
 * @category models
 */
export interface BlobAssetJson extends AssetJsonBase {
  readonly blob: string
}
/**
 * @since 0.1.0
 * @category models
 */
export interface ZarrAssetJson extends AssetJsonBase {
  readonly zarr: string
}

/**
 * An asset from top-level asset data. A record with both or neither of blob/zarr is refused with
 * the reason (dandi-cli raises ValueError); callers turn it into a decode error naming the URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBaseRecord = (backend: RecordBackend, record: AssetRecord): Either.Either<BaseRemoteAsset, string> =>
  Either.map(
    Backend.checkAssetRecord(record),
    (checked): BaseRemoteAsset =>
      checked.assetType === "zarr"
        ? new BaseRemoteZarrAsset(backend, { record: checked })
        : new BaseRemoteBlobAsset(backend, { record: checked })
  )

/**
 * An asset of a dandiset version from a record already known to be a blob or a zarr asset (as
 * the backend's listings answer).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCheckedRecord = (
  backend: RecordBackend,
  dandisetId: string,
  versionId: string,
  record: CheckedAssetRecord
): RemoteAsset =>
  record.assetType === "zarr"
    ? new RemoteZarrAsset(backend, { record, dandisetId, versionId })
    : new RemoteBlobAsset(backend, { record, dandisetId, versionId })

/**
 * An asset from a dandiset version's listing or info; refused as `fromBaseRecord` refuses.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRecord = (
  backend: RecordBackend,
  dandisetId: string,
  versionId: string,
  record: AssetRecord
): Either.Either<RemoteAsset, string> =>
  Either.map(Backend.checkAssetRecord(record), (checked) => fromCheckedRecord(backend, dandisetId, versionId, checked))

/**
 * @since 0.1.0
 * @category guards
 */
export const isRemoteAsset = (asset: BaseRemoteAsset): asset is RemoteAsset =>
  asset instanceof RemoteBlobAsset || asset instanceof RemoteZarrAsset
