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
 * Authentication is part of the facade, as in dandi-cli's `DandiAPIClient`:
 *
 * ```ts
 * yield* api.authenticate(key, { save: true })     // checked with GET /auth/token/ before use
 * yield* api.dandiAuthenticate({ required: false }) // {NAME}_API_KEY, then the TokenStore
 *
 * DandiApi.layer({ instance: "dandi-sandbox", token })           // the token is checked while the layer is built
 * DandiApi.layer({ instance: "dandi", authenticate: "env-or-store" }) // what a CLI wants
 * // Requires HttpClient and TokenStore: NodeDandi.layer / BrowserDandi.layer provide both; plain
 * // core programs and tests add `TokenStore.layerMemory`.
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ApiClient } from "./ApiClient.js"
import type { QueryParams } from "./ApiClient.js"
import {
  AssetPathEntry,
  AssetRecord,
  DandisetRecord,
  IncompleteUploadRecord,
  JsonObject,
  OwnerRecord,
  SearchDandisetRecord,
  ServerInfo,
  StatsRecord,
  UserRecord,
  ZarrEntryRecord,
  ZarrRecord
} from "./ApiRecords.js"
import { Auth } from "./Auth.js"
import type { AuthenticateOptions } from "./Auth.js"
import * as Credentials from "./Credentials.js"
import * as DandiConfig from "./DandiConfig.js"
import type { DandiError, UnknownInstanceError } from "./DandiError.js"
import { ResponseDecodeError } from "./DandiError.js"
import type { ApiError } from "./HttpErrors.js"
import { displayUrl, excerpt } from "./HttpErrors.js"
import * as HttpStack from "./HttpStack.js"
import * as Writes from "./internal/writes.js"
import { Paginator } from "./Paginator.js"
import type { BaseRemoteAsset, RemoteAsset } from "./RemoteAsset.js"
import * as RemoteAssets from "./RemoteAsset.js"
import { RemoteDandiset } from "./RemoteDandiset.js"
import type { VersionOrder } from "./RemoteDandiset.js"
import { RemoteZarrEntry } from "./RemoteZarrEntry.js"
import * as SchemaVersion from "./SchemaVersion.js"
import type { SchemaCompatibility } from "./SchemaVersion.js"
import type { TokenStore } from "./TokenStore.js"
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

export type CreateDandisetOptions = Writes.CreateDandisetOptions
export type AssetBacking = Writes.AssetBacking

export interface DandiApiShape {
  readonly location: ApiLocation

  // --- authentication (dandi-cli DandiAPIClient.authenticate / dandi_authenticate) -------------
  /** The variable `dandiAuthenticate` reads, e.g. `DANDI_API_KEY`, `DANDI_SANDBOX_API_KEY`. */
  readonly apiKeyEnvVar: string
  /**
   * Checks `token` with the server (GET `/auth/token/`) and, once accepted, sends it with every
   * later API request; `save: true` then keeps it in the TokenStore. A rejected key fails with
   * AuthenticationError (or PermissionError for an unapproved account) and is not adopted.
   */
  readonly authenticate: (
    token: string | Redacted.Redacted<string>,
    options?: AuthenticateOptions
  ) => Effect.Effect<void, ApiError>
  /**
   * Finds a key as dandi-cli does — `{NAME}_API_KEY` (through Effect Config), then the TokenStore —
   * and authenticates with it. Returns whether a key was adopted; without one it fails unless
   * `required: false`. Never prompts.
   */
  readonly dandiAuthenticate: (options?: { readonly required?: boolean | undefined }) => Effect.Effect<boolean, ApiError>

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

  // --- writes (dandi-cli create_dandiset and the record methods built on these) ---------------
  /** Creates a dandiset (you become its owner) and returns it at its draft. */
  readonly createDandiset: (
    name: string,
    metadata: JsonObject,
    options?: CreateDandisetOptions
  ) => Effect.Effect<RemoteDandiset, ApiError>
  readonly deleteDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  /** PUT the draft's name and metadata; returns the version with its (reset) status. */
  readonly updateVersionMetadata: (
    identifier: string,
    versionId: string,
    name: string,
    metadata: JsonObject
  ) => Effect.Effect<VersionInfo, ApiError>
  /** Starts publishing the draft (202); the new version appears when the archive is done. */
  readonly publishVersion: (identifier: string, versionId: string, releaseNotes?: string) => Effect.Effect<void, ApiError>
  readonly unembargoDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  /** Replaces the owners (GitHub logins or usernames); returns the new list. */
  readonly setOwners: (identifier: string, usernames: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError>
  /** Stars (`true`) or unstars a dandiset; returns its star count. */
  readonly starDandiset: (identifier: string, starred: boolean) => Effect.Effect<number, ApiError>
  /** Uploads begun and never validated (owners only). */
  readonly listUploads: (identifier: string) => Stream.Stream<IncompleteUploadRecord, ApiError>
  /** Discards every unfinished upload of the dandiset (unembargo needs none). */
  readonly discardUploads: (identifier: string) => Effect.Effect<void, ApiError>
  /** PUT an asset: new metadata and backing; the archive answers with a new asset (new id). */
  readonly updateAsset: (
    identifier: string,
    versionId: string,
    assetId: string,
    metadata: JsonObject,
    backing: AssetBacking
  ) => Effect.Effect<RemoteAsset, ApiError>
  readonly deleteAsset: (identifier: string, versionId: string, assetId: string) => Effect.Effect<void, ApiError>
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

export const make: Effect.Effect<DandiApiShape, never, ApiClient | Paginator | DandiConfig.DandiConfig | Auth> = Effect
  .gen(function*() {
    const client = yield* ApiClient
    const paginator = yield* Paginator
    const config = yield* DandiConfig.DandiConfig
    const auth = yield* Auth
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

    const writes = Writes.make(client, paginator, location)

    const service: DandiApiShape = {
      ...writes,
      createDandiset: (name, metadata, options) =>
        Effect.map(writes.createDandiset(name, metadata, options), (record) => {
          const created = RemoteDandiset.fromData(location, record)
          return new RemoteDandiset({ ...created, versionIdHint: Option.some("draft") })
        }),
      location,
      apiKeyEnvVar: auth.apiKeyEnvVar,
      // Auth already runs each in its own span (Auth.authenticate / Auth.dandiAuthenticate).
      authenticate: auth.authenticate,
      dandiAuthenticate: auth.dandiAuthenticate,
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
  })

/** The facade over an ApiClient, Paginator, DandiConfig and Auth already in context. */
export const layerWithoutDependencies: Layer.Layer<
  DandiApi,
  never,
  ApiClient | Paginator | DandiConfig.DandiConfig | Auth
> = Layer.effect(DandiApi, make)

/** What `layer` provides: the facade and the services it is built on, for other services to share. */
export type Services = DandiApi | HttpStack.Services

/** What building the layer can fail with: bad settings, an unknown instance, a rejected key. */
export type LayerError = ConfigError.ConfigError | UnknownInstanceError | ApiError

export interface AuthenticationOptions {
  /**
   * API key to start with. It is checked with the server while the layer is built, so a wrong
   * key fails the layer with AuthenticationError (PermissionError for an unapproved account)
   * instead of failing some later request. The error never contains the key.
   */
  readonly token?: string | Redacted.Redacted<string> | undefined
  /**
   * `false` adopts `token` without asking the server: no request while building (offline
   * construction, or a test that creates the key's user after building), but a wrong key
   * surfaces only on the first request that needs it. Default true.
   */
  readonly validateToken?: boolean | undefined
  /**
   * Without `token`, look for a key while building (dandi-cli's `dandi_authenticate`):
   * - `"env"`: `{NAME}_API_KEY` (e.g. `DANDI_API_KEY`) when it is set and non-empty;
   * - `"env-or-store"`: that variable, else the key saved in the TokenStore (OS keyring,
   *   localStorage, …) — what a command-line tool wants;
   * - `false`: stay anonymous until `authenticate` / `dandiAuthenticate` is called.
   * A key that is found is checked like `token`; finding none leaves the client anonymous.
   * Default: `false` for `layer`, `"env"` for `layerConfig`.
   */
  readonly authenticate?: "env" | "env-or-store" | false | undefined
}

export interface DandiApiLayerOptions extends DandiConfig.DandiConfigOptions, AuthenticationOptions {}

/** Runs once the stack is built: adopts the configured key, or looks for one. */
const startup = Effect.fn("DandiApi.layer.authenticate")(function*(options: AuthenticationOptions) {
  const auth = yield* Auth
  if (options.token !== undefined) {
    const token = Credentials.toRedacted(options.token)
    if (options.validateToken === false) return yield* (yield* Credentials.Credentials).set(Option.some(token))
    return yield* auth.authenticate(token)
  }
  switch (options.authenticate) {
    case "env-or-store":
      yield* auth.dandiAuthenticate({ required: false })
      return
    case "env": {
      // Only the variable: dandiAuthenticate would go on to the TokenStore, so ask it only when
      // the variable holds a key (it then takes that key first and words errors after it).
      const fromEnv = yield* Config.option(Config.redacted(auth.apiKeyEnvVar)).pipe(
        Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>())
      )
      if (Option.exists(fromEnv, (token) => Redacted.value(token).trim().length > 0)) {
        yield* auth.dandiAuthenticate()
      }
      return
    }
    default:
      return
  }
})

/** The facade (and its authentication step) on any HTTP stack. */
export const fromStack = <E, R>(
  stack: Layer.Layer<HttpStack.Services, E, R>,
  options: AuthenticationOptions = {}
): Layer.Layer<Services, E | ApiError, R> =>
  Layer.effect(DandiApi, Effect.zipRight(startup(options), make)).pipe(Layer.provideMerge(stack))

const splitOptions = (options: DandiApiLayerOptions) => {
  const { authenticate, token, validateToken, ...config } = options
  return { auth: { authenticate, token, validateToken }, config }
}

/**
 * Everything the SDK needs above the platform: configuration (the instance is resolved through
 * its `/info/` unless `discover: false`), credentials, the API client, the paginator, Auth and
 * the facade. They stay in the output so that other services (uploads, downloads) share them.
 * The platform supplies the HttpClient and the TokenStore (`TokenStore.layerMemory` in core).
 */
export const layer = (
  options: DandiApiLayerOptions = {}
): Layer.Layer<Services, LayerError, HttpClient.HttpClient | TokenStore> => {
  const { auth, config } = splitOptions(options)
  return fromStack(HttpStack.layer(config), auth)
}

/**
 * Like `layer`, with the settings read through Effect Config (`DANDI_INSTANCE`,
 * `DANDI_PAGE_SIZE`, … — see DandiConfig.layerConfig); explicit options win. Reading the
 * environment includes the API key: `authenticate` defaults to `"env"` here.
 */
export const layerConfig = (
  options: DandiApiLayerOptions = {}
): Layer.Layer<Services, LayerError, HttpClient.HttpClient | TokenStore> => {
  const { auth, config } = splitOptions(options)
  return fromStack(HttpStack.layerConfig(config), { ...auth, authenticate: auth.authenticate ?? "env" })
}
