/**
 * The facade: every operation of dandi-cli's `DandiAPIClient` (reads and writes), as Effects and Streams.
 *
 * ```ts
 * import { DandiApi } from "@dandi-effect/core" // the module; the service is DandiApi.DandiApi
 *
 * const api = yield* DandiApi.DandiApi
 * const dandiset = yield* api.getDandiset("000001")           // RemoteDandiset (loaded)
 * yield* dandiset.getAssets("path").pipe(Stream.runForEach(…)) // RemoteAsset, metadata inline
 * ```
 *
 * Records (`RemoteDandiset`, `RemoteAsset`, `RemoteZarrEntry`, `Version`) are immutable values.
 * Each carries the backend of the facade that made it (as dandi-cli's records hold their
 * `client`), so its methods need no service and always talk to the archive the record came from:
 * the same code runs against the real archive, the in-process emulator, or any instance the
 * layer was built for, and records of two archives can meet in one program. The lower-level
 * members below the client operations are what those record methods are made of; they are
 * public for callers that hold ids rather than records.
 *
 * Authentication is part of the facade, as in dandi-cli's `DandiAPIClient`:
 *
 * ```ts
 * yield* api.authenticate(key, { save: true })     // checked with GET /auth/token/ before use
 * yield* api.dandiAuthenticate({ required: false }) // {NAME}_API_KEY, then the TokenStore
 *
 * DandiApi.layer({ instance: "dandi-sandbox", token })           // the token is checked while the layer is built
 * DandiApi.layer({ instance: "dandi", authenticate: "env-or-store" }) // what a CLI wants
 * // Requires HttpClient, TokenStore and Hasher: NodeDandi.layer / BrowserDandi.layer provide them;
 * // plain core programs and tests add `TokenStore.layerMemory` and `Hasher.layerPortable`.
 * ```
 *
 * The layers compose the design card's services into one: besides the facade they provide the
 * `Uploader`, the `Downloader` and `ZarrTransfers` on the same ApiClient, StorageClient and configuration, so
 * `yield* Uploader.Uploader` works wherever `yield* DandiApi.DandiApi` does. Where local data
 * comes from and goes to is the caller's `ByteSource` / `ByteSink` (Node files, browser Blobs,
 * memory); resumable upload state is kept in memory unless the platform passes a store
 * (`uploadState`, e.g. Node's directory store).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ApiClient } from "./ApiClient.js"
import { Auth } from "./Auth.js"
import * as Credentials from "./Credentials.js"
import * as DandiConfig from "./DandiConfig.js"
import type { UnknownInstanceError } from "./DandiError.js"
import * as Downloader from "./Downloader.js"
import type { Hasher } from "./Hasher.js"
import type { ApiError } from "./HttpErrors.js"
import * as HttpStack from "./HttpStack.js"
import type { TokenStore } from "./TokenStore.js"
import * as Uploader from "./Uploader.js"
import * as UploadState from "./UploadState.js"
import * as ZarrTransfers from "./ZarrTransfers.js"
import * as Assets from "./internal/assets.js"
import * as Backend from "./internal/backend.js"
import { DandiApi } from "./internal/dandiApiService.js"
import type { ApiLocation, DandiApiShape } from "./internal/dandiApiService.js"
import * as Dandisets from "./internal/dandisets.js"
import type { Resources } from "./internal/resources.js"
import * as Server from "./internal/server.js"
import * as Writes from "./internal/writes.js"
import * as Zarr from "./internal/zarr.js"
import { Paginator } from "./Paginator.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export {
  /**
   * The facade users `yield*`.
   *
   * @since 0.1.0
   * @category tags
   */
  DandiApi
} from "./internal/dandiApiService.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type {
  ApiLocation,
  AssetBacking,
  AssetOrder,
  AssetQuery,
  ClientOperations,
  CreateDandisetOptions,
  DandiApiShape,
  DandisetOrder,
  DandisetSearchResult,
  GetDandisetOptions,
  GetDandisetsOptions,
  RecordOperations,
  SearchDandisetsOptions,
  WriteOperations
} from "./internal/dandiApiService.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type {
  /**
   * The archive operations a record carries: those of the client that made it. Records call
   * them by id and answer with records they build themselves.
   *
   * @since 0.1.0
   * @category models
   */
  RecordBackend
} from "./internal/recordBackend.js"

/**
 * Builds the facade from the services in context. Each resource (dandisets, versions, assets,
 * zarr, the server itself) is implemented in its own internal module over the same ApiClient and
 * Paginator; their wire operations make the records' backend, which every record the facade
 * makes carries. The facade is their union plus Auth.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<DandiApiShape, never, ApiClient | Paginator | DandiConfig.DandiConfig | Auth> = Effect
  .gen(function*() {
    const client = yield* ApiClient
    const paginator = yield* Paginator
    const config = yield* DandiConfig.DandiConfig
    const auth = yield* Auth
    const location: ApiLocation = { instanceName: config.instance.name, apiUrl: client.apiUrl }
    const resources: Resources = { client, paginator, location }
    const backend = Backend.make(resources)
    return DandiApi.of({
      // The operations by id that answer with wire values only (owners, versions, metadata, …).
      ...backend,
      apiKeyEnvVar: auth.apiKeyEnvVar,
      // Auth already runs each in its own span (Auth.authenticate / Auth.dandiAuthenticate).
      authenticate: auth.authenticate,
      dandiAuthenticate: auth.dandiAuthenticate,
      ...Server.make(resources),
      // Those that answer with records, which each get the backend.
      ...Dandisets.make(resources, backend),
      ...Assets.make(resources, backend),
      ...Zarr.make(backend),
      ...Writes.make(client, backend)
    })
  })

/**
 * The facade over an ApiClient, Paginator, DandiConfig and Auth already in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutDependencies: Layer.Layer<
  DandiApi,
  never,
  ApiClient | Paginator | DandiConfig.DandiConfig | Auth
> = Layer.effect(DandiApi, make)

/**
 * What `layer` provides: the facade, the transfer services (Uploader, Downloader, ZarrTransfers, and the
 * Uploader's state store) and the services they are built on, for other services to share.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | DandiApi
  | Uploader.Uploader
  | Downloader.Downloader
  | ZarrTransfers.ZarrTransfers
  | UploadState.UploadStateStore
  | HttpStack.Services

/**
 * What the platform supplies under `layer`: HTTP, a place for saved keys, and hashing.
 *
 * @since 0.1.0
 * @category models
 */
export type Platform = HttpClient.HttpClient | TokenStore | Hasher

/**
 * What building the layer can fail with: bad settings, an unknown instance, a rejected key.
 *
 * @since 0.1.0
 * @category models
 */
export type LayerError = ConfigError.ConfigError | UnknownInstanceError | ApiError

/**
 * @since 0.1.0
 * @category models
 */
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

/**
 * @since 0.1.0
 * @category models
 */
export interface TransferOptions {
  /**
   * Where interrupted uploads keep their state so a later attempt resumes them (default:
   * `UploadState.layerMemory`, for the life of the layer). Node passes its directory store;
   * `UploadState.layerDisabled` turns resuming off.
   */
  readonly uploadState?: Layer.Layer<UploadState.UploadStateStore> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DandiApiLayerOptions extends DandiConfig.DandiConfigOptions, AuthenticationOptions, TransferOptions {}

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

/**
 * The facade (and its authentication step) and the transfer services on any HTTP stack. The
 * Uploader and the Downloader are tags of their own (`Uploader.ts`, `Downloader.ts`, their steps
 * under `internal/`) built on the stack's ApiClient, StorageClient and DandiConfig plus the
 * platform's Hasher; a further service plugs in the same way: merge its layer below and add its
 * tag to `Services`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStack = <E, R>(
  stack: Layer.Layer<HttpStack.Services, E, R>,
  options: AuthenticationOptions & TransferOptions = {}
): Layer.Layer<Services, E | ApiError, R | Hasher> =>
  Layer.mergeAll(
    Layer.effect(DandiApi, Effect.zipRight(startup(options), make)),
    Downloader.layer,
    Uploader.layer,
    ZarrTransfers.layer
  ).pipe(
    Layer.provideMerge(options.uploadState ?? UploadState.layerMemory),
    Layer.provideMerge(stack)
  )

const splitOptions = (options: DandiApiLayerOptions) => {
  const { authenticate, token, uploadState, validateToken, ...config } = options
  return { auth: { authenticate, token, uploadState, validateToken }, config }
}

/**
 * Everything the SDK needs above the platform: configuration (the instance is resolved through
 * its `/info/` unless `discover: false`), credentials, the API client, the storage client, the
 * paginator, Auth, the facade, and the Uploader and Downloader built on them. The lower services
 * stay in the output so that further services share them. The platform supplies the HttpClient,
 * the TokenStore and the Hasher (`TokenStore.layerMemory` and `Hasher.layerPortable` in core).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: DandiApiLayerOptions = {}
): Layer.Layer<Services, LayerError, Platform> => {
  const { auth, config } = splitOptions(options)
  return fromStack(HttpStack.layer(config), auth)
}

/**
 * Like `layer`, with the settings read through Effect Config (`DANDI_INSTANCE`,
 * `DANDI_PAGE_SIZE`, … — see DandiConfig.layerConfig); explicit options win. Reading the
 * environment includes the API key: `authenticate` defaults to `"env"` here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: DandiApiLayerOptions = {}
): Layer.Layer<Services, LayerError, Platform> => {
  const { auth, config } = splitOptions(options)
  return fromStack(HttpStack.layerConfig(config), { ...auth, authenticate: auth.authenticate ?? "env" })
}
