/**
 * The facade: every read operation of dandi-cli's `DandiAPIClient`, as Effects and Streams.
 *
 * ```ts
 * const api = yield* DandiApi
 * const dandiset = yield* api.getDandiset("000001")           // RemoteDandiset (loaded)
 * yield* dandiset.getAssets("path").pipe(Stream.runForEach(…)) // RemoteAsset, metadata inline
 * ```
 *
 * Records (`RemoteDandiset`, `RemoteAsset`, `RemoteZarrEntry`, `Version`) are immutable values
 * whose methods need `DandiApi` again, so the same code runs against the real archive, the
 * in-process emulator, or any instance the layer was built for. The lower-level members below the
 * client operations are what those record methods call; they are public for callers that hold ids
 * rather than records.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError, Redacted } from "effect"
import { Context, Effect, Either, Layer, Option, Schema, Stream } from "effect"
import { ApiClient, layer as apiClientLayer } from "./ApiClient.js"
import type { QueryParams } from "./ApiClient.js"
import {
  AssetPathEntry,
  AssetRecord,
  DandisetRecord,
  JsonObject,
  OwnerRecord,
  SearchDandisetRecord,
  ServerInfo,
  StatsRecord,
  UserRecord,
  ZarrEntryRecord,
  ZarrRecord
} from "./ApiRecords.js"
import * as Credentials from "./Credentials.js"
import * as DandiConfig from "./DandiConfig.js"
import type { DandiError, UnknownInstanceError } from "./DandiError.js"
import { ResponseDecodeError } from "./DandiError.js"
import { displayUrl, excerpt } from "./HttpErrors.js"
import { layer as paginatorLayer, Paginator } from "./Paginator.js"
import type { BaseRemoteAsset, RemoteAsset } from "./RemoteAsset.js"
import * as RemoteAssets from "./RemoteAsset.js"
import { RemoteDandiset } from "./RemoteDandiset.js"
import type { VersionOrder } from "./RemoteDandiset.js"
import { RemoteZarrEntry } from "./RemoteZarrEntry.js"
import * as SchemaVersion from "./SchemaVersion.js"
import type { SchemaCompatibility } from "./SchemaVersion.js"
import { VersionInfo } from "./Version.js"
import { Version } from "./Version.js"
import * as WebUrl from "./WebUrl.js"

/** Where records live: the instance name (for `DANDI:000001/draft` strings) and the API base URL. */
export interface ApiLocation {
  readonly instanceName: string
  /** Without a trailing slash, e.g. `https://api.dandiarchive.org/api`. */
  readonly apiUrl: string
}

/** `/dandisets/` orderings (`-` reverses). The server ignores unknown ones. */
export type DandisetOrder = "id" | "-id" | "name" | "-name" | "modified" | "-modified" | "size" | "-size" | "stars" | "-stars"

/** Asset orderings (`-` reverses). */
export type AssetOrder = "created" | "-created" | "modified" | "-modified" | "path" | "-path"

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

export interface AssetQuery {
  readonly order?: AssetOrder | undefined
  /** Path prefix (server: case-insensitive starts-with, or the exact path alone if it exists). */
  readonly path?: string | undefined
  /** Whole-path glob, `*` only, case-insensitive. */
  readonly glob?: string | undefined
}

export interface DandiApiShape {
  readonly location: ApiLocation

  // --- client operations (dandi-cli DandiAPIClient) -------------------------------------------
  /** Every dandiset visible to the caller, each at its default version. */
  readonly getDandisets: (options?: GetDandisetsOptions) => Stream.Stream<RemoteDandiset, DandiError>
  /** One dandiset; `version` selects a version (checked unless it is the default or `draft`). */
  readonly getDandiset: (
    identifier: string,
    version?: string,
    options?: GetDandisetOptions
  ) => Effect.Effect<RemoteDandiset, DandiError>
  /** An asset by id alone (top-level `/assets/{id}/info/`). */
  readonly getAsset: (assetId: string) => Effect.Effect<BaseRemoteAsset, DandiError>
  /** Fails with SchemaVersionError unless the server's schema version is usable. */
  readonly checkSchemaVersion: (schemaVersion?: string) => Effect.Effect<SchemaCompatibility, DandiError>
  readonly info: Effect.Effect<ServerInfo, DandiError>
  /** The authenticated user (`/users/me/`). */
  readonly me: Effect.Effect<UserRecord, DandiError>
  readonly stats: Effect.Effect<StatsRecord, DandiError>
  /** Faceted search (`/dandisets/search/`). */
  readonly searchDandisets: (options?: SearchDandisetsOptions) => Stream.Stream<DandisetSearchResult, DandiError>
  /** Names of the metadata models (`/schemas/available/`). */
  readonly getMetadataSchemaModels: Effect.Effect<ReadonlyArray<string>, DandiError>
  /** The JSON Schema of one metadata model (`/schemas/?model=`). */
  readonly getMetadataSchema: (model: string) => Effect.Effect<JsonObject, DandiError>

  // --- building blocks the records call -------------------------------------------------------
  readonly fetchDandiset: (identifier: string, notFoundMessage?: string) => Effect.Effect<DandisetRecord, DandiError>
  readonly listVersions: (identifier: string, order?: VersionOrder) => Stream.Stream<Version, DandiError>
  readonly fetchVersionInfo: (identifier: string, versionId: string) => Effect.Effect<VersionInfo, DandiError>
  readonly fetchVersionMetadata: (identifier: string, versionId: string) => Effect.Effect<JsonObject, DandiError>
  readonly fetchOwners: (identifier: string) => Effect.Effect<ReadonlyArray<OwnerRecord>, DandiError>
  readonly listAssets: (
    identifier: string,
    versionId: string,
    query?: AssetQuery
  ) => Stream.Stream<RemoteAsset, DandiError>
  readonly fetchVersionAsset: (
    identifier: string,
    versionId: string,
    assetId: string,
    notFoundMessage?: string
  ) => Effect.Effect<RemoteAsset, DandiError>
  readonly listAssetPaths: (
    identifier: string,
    versionId: string,
    pathPrefix?: string
  ) => Stream.Stream<AssetPathEntry, DandiError>
  readonly listZarrs: (identifier: string) => Stream.Stream<ZarrRecord, DandiError>
  /** Asset metadata from an asset API path (`/assets/{id}/` or the versioned one). */
  readonly fetchAssetMetadata: (apiPath: string, notFoundMessage: string) => Effect.Effect<JsonObject, DandiError>
  readonly listZarrFiles: (zarrId: string, prefix?: string) => Stream.Stream<RemoteZarrEntry, DandiError>
  /**
   * Where a URL ends up after redirects (`true`: all, a number: at most that many hops), by
   * HEAD requests. The API token goes only to the API origin.
   */
  readonly resolveRedirects: (url: string, follow: true | number) => Effect.Effect<string, DandiError>
}

export class DandiApi extends Context.Tag("@dandi-effect/core/DandiApi")<DandiApi, DandiApiShape>() {}

// ---------------------------------------------------------------------------------------------
// Implementation

const pyRepr = RemoteAssets.pyRepr

/** dandi-cli sends filter booleans as Python spells them; the server accepts any case. */
const pyBool = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : value ? "True" : "False"

const listingParams = (options: GetDandisetsOptions): QueryParams => ({
  draft: pyBool(options.draft),
  embargoed: pyBool(options.embargoed),
  empty: pyBool(options.empty),
  starred: pyBool(options.starred),
  // `/dandisets/` calls it `ordering`; versions and assets call it `order` (spec §12.2).
  ordering: options.order,
  search: options.search,
  user: options.mine === true ? "me" : undefined
})

const maxRedirectHops = 20

const invalidAsset = (url: string, record: AssetRecord, reason: string) =>
  new ResponseDecodeError({
    message: `${reason} (GET ${displayUrl(url)})`,
    method: "GET",
    url: displayUrl(url),
    status: 200,
    excerpt: excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
  })

export const make: Effect.Effect<DandiApiShape, never, ApiClient | Paginator | DandiConfig.DandiConfig> = Effect.gen(
  function*() {
    const client = yield* ApiClient
    const paginator = yield* Paginator
    const config = yield* DandiConfig.DandiConfig
    const location: ApiLocation = { instanceName: config.instance.name, apiUrl: client.apiUrl }

    const versionNotFound = (identifier: string, versionId: string) => ({
      resource: "version",
      id: `${identifier}/${versionId}`,
      message: `No such version: ${pyRepr(versionId)} of Dandiset ${identifier}`
    })

    const fetchDandiset = Effect.fn("DandiApi.fetchDandiset")(function*(identifier: string, notFoundMessage?: string) {
      return yield* client.json(DandisetRecord, "GET", `/dandisets/${identifier}/`, {
        notFound: {
          resource: "dandiset",
          id: identifier,
          message: notFoundMessage ??
            `No such Dandiset: ${pyRepr(identifier)}. Verify the Dandiset ID is correct and that you have access. `
        }
      })
    })

    const fetchVersionInfo = Effect.fn("DandiApi.fetchVersionInfo")(function*(identifier: string, versionId: string) {
      return yield* client.json(VersionInfo, "GET", `/dandisets/${identifier}/versions/${versionId}/info/`, {
        notFound: versionNotFound(identifier, versionId)
      })
    })

    const getDandisets = (options: GetDandisetsOptions = {}) =>
      paginator.pages(DandisetRecord, "/dandisets/", { params: listingParams(options) }).pipe(
        Stream.map((record) => RemoteDandiset.fromData(location, record)),
        Stream.withSpan("DandiApi.getDandisets")
      )

    const getDandiset = Effect.fn("DandiApi.getDandiset")(
      function*(identifier: string, version?: string, options?: GetDandisetOptions) {
        if (options?.lazy === true) return RemoteDandiset.lazy(location, identifier, version)
        const dandiset = RemoteDandiset.fromData(location, yield* fetchDandiset(identifier))
        if (version === undefined || Option.contains(dandiset.versionIdHint, version)) return dandiset
        const draft = Option.flatMap(dandiset.data, (d) => Option.fromNullable(d.draft_version))
        if (version === "draft" && Option.isSome(draft)) {
          return yield* dandiset.forVersion(Version.fromRecord(draft.value))
        }
        const info = yield* fetchVersionInfo(identifier, version)
        return yield* dandiset.forVersion(info.version)
      },
      (effect) => Effect.provideService(effect, DandiApi, service)
    )

    const getAsset = Effect.fn("DandiApi.getAsset")(function*(assetId: string) {
      const path = `/assets/${assetId}/info/`
      const record = yield* client.json(AssetRecord, "GET", path, {
        notFound: {
          resource: "asset",
          id: assetId,
          message: `No such asset: ${
            pyRepr(assetId)
          }. Verify the asset ID is correct. Use 'dandi-effect ls' to list available assets.`
        }
      })
      return yield* Either.mapLeft(
        RemoteAssets.fromBaseRecord(location, record),
        (reason) => invalidAsset(client.url(path), record, reason)
      )
    })

    const info = client.json(ServerInfo, "GET", "/info/").pipe(Effect.withSpan("DandiApi.info"))

    const checkSchemaVersion = Effect.fn("DandiApi.checkSchemaVersion")(function*(schemaVersion?: string) {
      const server = yield* info
      return yield* SchemaVersion.checkSchemaVersion(
        server.schema_version,
        schemaVersion ?? SchemaVersion.DANDI_SCHEMA_VERSION,
        server.allowed_schema_versions ?? SchemaVersion.ALLOWED_INPUT_SCHEMAS
      )
    })

    const searchDandisets = (options: SearchDandisetsOptions = {}) =>
      paginator.pages(SearchDandisetRecord, "/dandisets/search/", {
        params: {
          ...listingParams(options),
          file_type: options.fileType,
          file_size_min: options.fileSizeMin,
          file_size_max: options.fileSizeMax,
          measurement_technique: options.measurementTechnique,
          genotype: options.genotype,
          species: options.species
        }
      }).pipe(
        Stream.map((record): DandisetSearchResult => ({
          dandiset: RemoteDandiset.fromData(location, record),
          assetCounts: record.asset_counts,
          record
        })),
        Stream.withSpan("DandiApi.searchDandisets")
      )

    const listAssets = (identifier: string, versionId: string, query: AssetQuery = {}) => {
      const path = `/dandisets/${identifier}/versions/${versionId}/assets/`
      return paginator.pages(AssetRecord, path, {
        // Inline metadata: reading every asset's metadata costs no request per asset.
        params: { order: query.order, path: query.path, glob: query.glob, metadata: true },
        notFound: versionNotFound(identifier, versionId)
      }).pipe(
        Stream.mapEffect((record) =>
          Either.mapLeft(
            RemoteAssets.fromRecord(location, identifier, versionId, record),
            (reason) => invalidAsset(client.url(path), record, reason)
          )
        ),
        Stream.withSpan("DandiApi.listAssets", { attributes: { dandiset: identifier, version: versionId } })
      )
    }

    const fetchVersionAsset = Effect.fn("DandiApi.fetchVersionAsset")(
      function*(identifier: string, versionId: string, assetId: string, notFoundMessage?: string) {
        const path = `/dandisets/${identifier}/versions/${versionId}/assets/${assetId}/info/`
        const record = yield* client.json(AssetRecord, "GET", path, {
          notFound: {
            resource: "asset",
            id: assetId,
            message: notFoundMessage ??
              `No such asset: ${pyRepr(assetId)} for ${location.instanceName.toUpperCase()}:${identifier}/${versionId}`
          }
        })
        return yield* Either.mapLeft(
          RemoteAssets.fromRecord(location, identifier, versionId, record),
          (reason) => invalidAsset(client.url(path), record, reason)
        )
      }
    )

    const resolveRedirects = Effect.fn("DandiApi.resolveRedirects")(function*(url: string, follow: true | number) {
      const hops = follow === true ? maxRedirectHops : Math.max(0, Math.floor(follow))
      let current = url
      for (let hop = 0; hop < hops; hop++) {
        // Statuses ≥ 400 end the walk: like dandi-cli, the URL that failed is the answer.
        const response = yield* client.send("HEAD", current, {
          redirect: "manual",
          allowStatuses: Array.from({ length: 200 }, (_, i) => 400 + i)
        })
        const location = response.headers["location"]
        if (response.status < 300 || response.status >= 400 || location === undefined) break
        // A relative Location is resolved (dandi-cli uses it verbatim, which breaks the next hop).
        current = WebUrl.parse(location, current)?.href ?? location
      }
      return current
    })

    const service: DandiApiShape = {
      location,
      getDandisets,
      getDandiset,
      getAsset,
      checkSchemaVersion,
      info,
      me: client.json(UserRecord, "GET", "/users/me/").pipe(Effect.withSpan("DandiApi.me")),
      stats: client.json(StatsRecord, "GET", "/stats/").pipe(Effect.withSpan("DandiApi.stats")),
      searchDandisets,
      getMetadataSchemaModels: client.json(Schema.Array(Schema.String), "GET", "/schemas/available/").pipe(
        Effect.withSpan("DandiApi.getMetadataSchemaModels")
      ),
      getMetadataSchema: Effect.fn("DandiApi.getMetadataSchema")(function*(model: string) {
        return yield* client.json(JsonObject, "GET", "/schemas/", { params: { model } })
      }),
      fetchDandiset,
      listVersions: (identifier, order) =>
        paginator.pages(
          Version,
          `/dandisets/${identifier}/versions/`,
          {
            params: { order },
            notFound: { resource: "dandiset", id: identifier, message: `No such Dandiset: ${pyRepr(identifier)}` }
          }
        ).pipe(Stream.withSpan("DandiApi.listVersions", { attributes: { dandiset: identifier } })),
      fetchVersionInfo,
      fetchVersionMetadata: Effect.fn("DandiApi.fetchVersionMetadata")(function*(identifier: string, versionId: string) {
        return yield* client.json(JsonObject, "GET", `/dandisets/${identifier}/versions/${versionId}/`, {
          notFound: versionNotFound(identifier, versionId)
        })
      }),
      fetchOwners: Effect.fn("DandiApi.fetchOwners")(function*(identifier: string) {
        return yield* client.json(Schema.Array(OwnerRecord), "GET", `/dandisets/${identifier}/users/`, {
          notFound: { resource: "dandiset", id: identifier, message: `No such Dandiset: ${pyRepr(identifier)}` }
        })
      }),
      listAssets,
      fetchVersionAsset,
      listAssetPaths: (identifier, versionId, pathPrefix = "") =>
        paginator.pages(AssetPathEntry, `/dandisets/${identifier}/versions/${versionId}/assets/paths/`, {
          params: { path_prefix: pathPrefix === "" ? undefined : pathPrefix },
          notFound: {
            resource: "folder",
            id: pathPrefix,
            message: `No folder ${pyRepr(pathPrefix)} in version ${versionId} of Dandiset ${identifier} (or no such version); list the parent folder to see what exists`
          }
        }).pipe(Stream.withSpan("DandiApi.listAssetPaths", { attributes: { dandiset: identifier } })),
      listZarrs: (identifier) =>
        paginator.pages(ZarrRecord, "/zarr/", { params: { dandiset: identifier } }).pipe(
          Stream.withSpan("DandiApi.listZarrs", { attributes: { dandiset: identifier } })
        ),
      fetchAssetMetadata: Effect.fn("DandiApi.fetchAssetMetadata")(function*(apiPath: string, notFoundMessage: string) {
        return yield* client.json(JsonObject, "GET", apiPath, {
          notFound: { resource: "asset", id: apiPath, message: notFoundMessage }
        })
      }),
      listZarrFiles: (zarrId, prefix) =>
        paginator.cursor(ZarrEntryRecord, `/zarr/${zarrId}/files/`, {
          params: { prefix },
          notFound: { resource: "zarr", id: zarrId, message: `No such zarr: ${pyRepr(zarrId)}` }
        }).pipe(
          Stream.map((entry) => RemoteZarrEntry.fromWire(location.apiUrl, zarrId, entry)),
          Stream.withSpan("DandiApi.listZarrFiles", { attributes: { zarr: zarrId } })
        ),
      resolveRedirects
    }
    return service
  }
)

/** The facade over an ApiClient, Paginator and DandiConfig already in context. */
export const layerWithoutDependencies: Layer.Layer<DandiApi, never, ApiClient | Paginator | DandiConfig.DandiConfig> =
  Layer.effect(DandiApi, make)

export interface DandiApiLayerOptions extends DandiConfig.DandiConfigOptions {
  /** API key to start with (anonymous when absent). */
  readonly token?: string | Redacted.Redacted<string> | undefined
}

/**
 * Everything reads need, from an HttpClient: configuration (the instance is resolved through
 * its `/info/` unless `discover: false`), credentials, the API client and the paginator. They
 * stay in the output so that other services (Auth, uploads) share them.
 */
export const layer = (
  options: DandiApiLayerOptions = {}
): Layer.Layer<
  DandiApi | ApiClient | Paginator | DandiConfig.DandiConfig | Credentials.Credentials,
  ConfigError.ConfigError | UnknownInstanceError,
  HttpClient.HttpClient
> => {
  const { token, ...configOptions } = options
  const base = Layer.merge(
    DandiConfig.layer(configOptions),
    Credentials.layer(token === undefined ? undefined : Credentials.toRedacted(token))
  )
  const client = apiClientLayer.pipe(Layer.provideMerge(base))
  const paged = paginatorLayer.pipe(Layer.provideMerge(client))
  return layerWithoutDependencies.pipe(Layer.provideMerge(paged))
}
