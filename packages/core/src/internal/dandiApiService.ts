/**
 * The `DandiApi` tag and its shape. The shape answers with records; the records themselves never
 * import this module (they hold a `RecordBackend` instead), so it names them without a cycle.
 * `DandiApi.ts` re-exports all of it.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { JsonObject, SearchDandisetRecord, ServerInfo, StatsRecord, UserRecord } from "../ApiRecords.js"
import type { AuthShape } from "../Auth.js"
import type { SchemaVersionError } from "../DandiError.js"
import type { ApiError } from "../HttpErrors.js"
import type { BaseRemoteAsset, RemoteAsset } from "../RemoteAsset.js"
import type { RemoteDandiset } from "../RemoteDandiset.js"
import type { RemoteZarrEntry } from "../RemoteZarrEntry.js"
import type { SchemaCompatibility } from "../SchemaVersion.js"
import type { ApiLocation, AssetQuery, RecordBackend, UpdateAsset, WriteWire } from "./recordBackend.js"

export type { ApiLocation, AssetBacking, AssetOrder, AssetQuery } from "./recordBackend.js"

/** `/dandisets/` orderings (`-` reverses). The server ignores unknown ones. */
export type DandisetOrder = "id" | "-id" | "name" | "-name" | "modified" | "-modified" | "size" | "-size" | "stars" | "-stars"

export interface GetDandisetsOptions {
  /** Include dandisets never published (server default true). */
  readonly draft?: boolean | undefined
  /** Include embargoed dandisets you may see (server default false; needs a token). */
  readonly embargoed?: boolean | undefined
  /** Include dandisets without assets (server default true). */
  readonly empty?: boolean | undefined
  /** Only dandisets you own (`user=me`; needs a token). */
  readonly mine?: boolean | undefined
  /** Only dandisets you starred (needs a token). */
  readonly starred?: boolean | undefined
  readonly order?: DandisetOrder | undefined
  /** Free text plus operators such as `species:mouse` (server-contract §3.1). */
  readonly search?: string | undefined
}

export interface SearchDandisetsOptions extends GetDandisetsOptions {
  readonly fileType?: ReadonlyArray<string> | undefined
  readonly fileSizeMin?: number | undefined
  readonly fileSizeMax?: number | undefined
  readonly measurementTechnique?: ReadonlyArray<string> | undefined
  readonly genotype?: ReadonlyArray<string> | undefined
  readonly species?: ReadonlyArray<string> | undefined
}

/** A search hit: the dandiset, and how many of its assets match each non-empty facet. */
export interface DandisetSearchResult {
  readonly dandiset: RemoteDandiset
  readonly assetCounts: Readonly<Record<string, number>>
  readonly record: SearchDandisetRecord
}

export interface GetDandisetOptions {
  /** Make no request now; data is fetched when first needed (default false). */
  readonly lazy?: boolean | undefined
}

/**
 * What `DandiApi` offers beyond the record building blocks: authentication and dandi-cli's
 * `DandiAPIClient` operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOperations extends Pick<AuthShape, "apiKeyEnvVar" | "authenticate" | "dandiAuthenticate"> {
  // Authentication (dandi-cli DandiAPIClient.authenticate / dandi_authenticate) is the Auth
  // service's: `apiKeyEnvVar`, `authenticate`, `dandiAuthenticate`, as AuthShape describes them.

  // --- client operations (dandi-cli DandiAPIClient) -------------------------------------------
  /** Every dandiset visible to the caller, each at its default version. */
  readonly getDandisets: (options?: GetDandisetsOptions) => Stream.Stream<RemoteDandiset, ApiError>
  /** One dandiset; `version` selects a version (checked unless it is the default or `draft`). */
  readonly getDandiset: (
    identifier: string,
    version?: string,
    options?: GetDandisetOptions
  ) => Effect.Effect<RemoteDandiset, ApiError>
  /** An asset by id alone (top-level `/assets/{id}/info/`). */
  readonly getAsset: (assetId: string) => Effect.Effect<BaseRemoteAsset, ApiError>
  /** Fails with SchemaVersionError unless the server's schema version is usable. */
  readonly checkSchemaVersion: (schemaVersion?: string) => Effect.Effect<SchemaCompatibility, ApiError | SchemaVersionError>
  readonly info: Effect.Effect<ServerInfo, ApiError>
  /** The authenticated user (`/users/me/`). */
  readonly me: Effect.Effect<UserRecord, ApiError>
  readonly stats: Effect.Effect<StatsRecord, ApiError>
  /** Faceted search (`/dandisets/search/`). */
  readonly searchDandisets: (options?: SearchDandisetsOptions) => Stream.Stream<DandisetSearchResult, ApiError>
  /** Names of the metadata models (`/schemas/available/`). */
  readonly getMetadataSchemaModels: Effect.Effect<ReadonlyArray<string>, ApiError>
  /** The JSON Schema of one metadata model (`/schemas/?model=`). */
  readonly getMetadataSchema: (model: string) => Effect.Effect<JsonObject, ApiError>
}

/**
 * Lower-level operations by id, for callers that hold ids rather than records. They are the
 * operations the records' methods are made of (the records call them on the backend they carry).
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordOperations extends
  Pick<
    RecordBackend,
    | "fetchDandiset"
    | "listVersions"
    | "fetchVersionInfo"
    | "fetchVersionMetadata"
    | "fetchOwners"
    | "listAssetPaths"
    | "listZarrs"
    | "fetchAssetMetadata"
    | "resolveRedirects"
  >
{
  // The same operations as the backend's, answering with records where the backend answers
  // with wire records.
  readonly listAssets: (
    identifier: string,
    versionId: string,
    query?: AssetQuery
  ) => Stream.Stream<RemoteAsset, ApiError>
  readonly fetchVersionAsset: (
    identifier: string,
    versionId: string,
    assetId: string,
    notFoundMessage?: string
  ) => Effect.Effect<RemoteAsset, ApiError>
  readonly listZarrFiles: (zarrId: string, prefix?: string) => Stream.Stream<RemoteZarrEntry, ApiError>
}

/**
 * Options of `createDandiset`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateDandisetOptions {
  /** Create it under embargo (only owners see it until it is unembargoed). */
  readonly embargo?: boolean | undefined
  /** `YYYY-MM-DD`; embargoed only (server default: two years from today). */
  readonly embargoEndDate?: string | undefined
  /** Embargoed only: who funds the work, with its award number (both or neither). */
  readonly fundingSource?: string | undefined
  readonly awardNumber?: string | undefined
}

/**
 * The writes: `createDandiset` (dandi-cli's) and the operations by id that the records' write
 * methods (`delete`, `setMetadata`, `publish`, `rename`, …) call.
 *
 * @since 0.1.0
 * @category models
 */
export interface WriteOperations extends Omit<WriteWire, "updateAsset"> {
  /** Creates a dandiset (the caller becomes its owner) and returns it at its draft. */
  readonly createDandiset: (
    name: string,
    metadata: JsonObject,
    options?: CreateDandisetOptions
  ) => Effect.Effect<RemoteDandiset, ApiError>
  /** PUT an asset: new metadata and backing; the archive answers with a new asset (new id). */
  readonly updateAsset: UpdateAsset<RemoteAsset>
}

/**
 * The facade's operations. New services (uploads, downloads) are tags of their own; if records
 * gain methods that talk to the API, add the operations they call to the `RecordBackend`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DandiApiShape extends ClientOperations, RecordOperations, WriteOperations {
  readonly location: ApiLocation
}

/**
 * The facade users `yield*`. Its layers live in `DandiApi.ts`.
 *
 * @since 0.1.0
 * @category tags
 */
export class DandiApi extends Context.Tag("@dandi-effect/core/DandiApi")<DandiApi, DandiApiShape>() {}
