/**
 * What a record (`RemoteDandiset`, `RemoteAsset`) holds of the client that made it: the archive's
 * operations by id, answering only with what the wire carries (ApiRecords' records, `Version` /
 * `VersionInfo`, JSON), plus where the archive is. Records build their child records from these
 * answers themselves, so their methods need no service, and a record always talks to the archive
 * it came from (a sandbox record and a main-archive record can meet in one program).
 *
 * A leaf: it names no record class and no service tag, so the records, the facade that makes them
 * (`DandiApi`), and the transfer services (Uploader, ZarrTransfers) can all import it.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Stream from "effect/Stream"
import type {
  AssetPathEntry,
  AssetRecord,
  DandisetRecord,
  IncompleteUploadRecord,
  JsonObject,
  OwnerRecord,
  ZarrEntryRecord,
  ZarrRecord
} from "../ApiRecords.js"
import type { ApiError } from "../HttpErrors.js"
import type { Version, VersionInfo } from "../Version.js"

/** Where records live: the instance name (for `DANDI:000001/draft` strings) and the API base URL. */
export interface ApiLocation {
  readonly instanceName: string
  /** Without a trailing slash, e.g. `https://api.dandiarchive.org/api`. */
  readonly apiUrl: string
}

/** Version orderings the versions endpoint accepts. */
export type VersionOrder = "created" | "-created"

/** Asset orderings (`-` reverses). */
export type AssetOrder = "created" | "-created" | "modified" | "-modified" | "path" | "-path"

export interface AssetQuery {
  readonly order?: AssetOrder | undefined
  /** Path prefix (server: case-insensitive starts-with, or the exact path alone if it exists). */
  readonly path?: string | undefined
  /** Whole-path glob, `*` only, case-insensitive. */
  readonly glob?: string | undefined
}

/** What backs an asset a PUT describes: a blob or a zarr. */
export type AssetBacking = { readonly blobId: string } | { readonly zarrId: string }

/** An asset record known to be backed by exactly one of a blob or a zarr (the backend checks it). */
export type CheckedAssetRecord = AssetRecord & { readonly assetType: "blob" | "zarr" }

/**
 * The record as a `CheckedAssetRecord`, or why it cannot be an asset (dandi-cli raises
 * ValueError): both or neither of blob/zarr set.
 */
export const checkAssetRecord = (record: AssetRecord): Either.Either<CheckedAssetRecord, string> => {
  const kind = record.assetType
  if (kind === "blob" || kind === "zarr") return Either.right(record as CheckedAssetRecord)
  return Either.left(
    `The server sent an unexpected record: asset ${JSON.stringify(record.path)} (asset_id ${record.asset_id}): ${
      record.blob != null
        ? "field zarr: both blob and zarr are set; an asset is one or the other"
        : "field blob: neither blob nor zarr is set; an asset needs one of them"
    }`
  )
}

/** PUT of an asset's metadata and backing, answered with the new asset as `A`. */
export type UpdateAsset<A> = (
  identifier: string,
  versionId: string,
  assetId: string,
  metadata: JsonObject,
  backing: AssetBacking
) => Effect.Effect<A, ApiError>

/**
 * The operations records call, by id. Each answers with wire values only; an asset record that
 * is not an asset (both or neither of blob/zarr) is a ResponseDecodeError naming the URL.
 */
export interface RecordBackend {
  readonly location: ApiLocation
  readonly fetchDandiset: (identifier: string, notFoundMessage?: string) => Effect.Effect<DandisetRecord, ApiError>
  readonly listVersions: (identifier: string, order?: VersionOrder) => Stream.Stream<Version, ApiError>
  readonly fetchVersionInfo: (identifier: string, versionId: string) => Effect.Effect<VersionInfo, ApiError>
  readonly fetchVersionMetadata: (identifier: string, versionId: string) => Effect.Effect<JsonObject, ApiError>
  readonly fetchOwners: (identifier: string) => Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError>
  readonly listAssets: (
    identifier: string,
    versionId: string,
    query?: AssetQuery
  ) => Stream.Stream<CheckedAssetRecord, ApiError>
  readonly fetchVersionAsset: (
    identifier: string,
    versionId: string,
    assetId: string,
    notFoundMessage?: string
  ) => Effect.Effect<CheckedAssetRecord, ApiError>
  readonly listAssetPaths: (
    identifier: string,
    versionId: string,
    pathPrefix?: string
  ) => Stream.Stream<AssetPathEntry, ApiError>
  readonly listZarrs: (identifier: string) => Stream.Stream<ZarrRecord, ApiError>
  /** Asset metadata from an asset API path (`/assets/{id}/` or the versioned one). */
  readonly fetchAssetMetadata: (apiPath: string, notFoundMessage: string) => Effect.Effect<JsonObject, ApiError>
  readonly listZarrFiles: (zarrId: string, prefix?: string) => Stream.Stream<ZarrEntryRecord, ApiError>
  /**
   * Where a URL ends up after redirects (`true`: all, a number: at most that many hops), by
   * HEAD requests. The API token goes only to the API origin.
   */
  readonly resolveRedirects: (url: string, follow: true | number) => Effect.Effect<string, ApiError>
  readonly deleteDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  /** PUT the draft's name and metadata; returns the version with its (reset) status. */
  readonly updateVersionMetadata: (
    identifier: string,
    versionId: string,
    name: string,
    metadata: JsonObject
  ) => Effect.Effect<VersionInfo, ApiError>
  /** Starts publishing (202); the new version appears when the archive is done. */
  readonly publishVersion: (identifier: string, versionId: string, releaseNotes?: string) => Effect.Effect<void, ApiError>
  readonly unembargoDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  /** Replaces the owners (GitHub logins or usernames); returns the new list. */
  readonly setOwners: (
    identifier: string,
    usernames: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError>
  /** Stars (`true`) or unstars a dandiset; returns its star count. */
  readonly starDandiset: (identifier: string, starred: boolean) => Effect.Effect<number, ApiError>
  /** Uploads begun and never validated (owners only). */
  readonly listUploads: (identifier: string) => Stream.Stream<IncompleteUploadRecord, ApiError>
  /** Discards every unfinished upload of the dandiset (unembargo needs none). */
  readonly discardUploads: (identifier: string) => Effect.Effect<void, ApiError>
  /** PUT an asset: new metadata and backing; the archive answers with a new asset (new id). */
  readonly updateAsset: UpdateAsset<CheckedAssetRecord>
  readonly deleteAsset: (identifier: string, versionId: string, assetId: string) => Effect.Effect<void, ApiError>
}

/** The backend's writes: what the records' `delete`, `setMetadata`, `publish`, `rename`, … call. */
export type WriteWire = Pick<
  RecordBackend,
  | "deleteDandiset"
  | "updateVersionMetadata"
  | "publishVersion"
  | "unembargoDandiset"
  | "setOwners"
  | "starDandiset"
  | "listUploads"
  | "discardUploads"
  | "updateAsset"
  | "deleteAsset"
>

/**
 * Gives a record the backend it was made with, as a property that is not enumerable: Equal and
 * Hash (which compare enumerable fields), `JSON.stringify`, spreads and Node's inspection never
 * see it, so a record means the same whoever made it, and nothing that holds the token is printed.
 */
export const attach = (record: object, backend: RecordBackend): void => {
  Object.defineProperty(record, "backend", { value: backend, enumerable: false, writable: false, configurable: false })
}
