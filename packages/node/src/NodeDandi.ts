/**
 * Everything a Node program needs, in one layer:
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const api = yield* DandiApi.DandiApi
 *   yield* api.dandiAuthenticate({ required: false })      // DANDI_API_KEY, then the OS keyring
 *   const dandiset = yield* api.getDandiset("000027")
 * })
 * program.pipe(Effect.provide(NodeDandi.layer({ instance: "dandi" })), NodeRuntime.runMain)
 * // or NodeDandi.layerConfig(): DANDI_INSTANCE, DANDI_PAGE_SIZE, … and {NAME}_API_KEY from the environment
 * ```
 *
 * Provides what `DandiApi.layer` composes — the facade with its stack (DandiConfig, Credentials,
 * ApiClient, StorageClient, Paginator, Auth), the Uploader, the Downloader and ZarrTransfers — on Node's
 * platform pieces: the undici HttpClient (NodeHttp: real Content-Length on uploads, redirects
 * under ApiClient's control), the `node:crypto` Hasher, the OS keyring TokenStore (memory when
 * there is no keyring) and the on-disk resumable upload state (NodeUploadState); plus local
 * digests (a hashing worker pool and the digest cache) and NodeContext (FileSystem, Path,
 * CommandExecutor, Terminal) for file work. Files become ByteSources and ByteSinks through
 * NodeByteSource / NodeFileSink.
 *
 * @since 0.1.0
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { Hasher } from "@dandi-effect/core/Hasher"
import type { TokenStore } from "@dandi-effect/core/TokenStore"
import type { UploadStateStore } from "@dandi-effect/core/UploadState"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Layer from "effect/Layer"
import type { DigestCache } from "./DigestCache.js"
import type { HashWorkerPool } from "./HashWorkerPool.js"
import * as NodeDigests from "./NodeDigests.js"
import * as NodeHasher from "./NodeHasher.js"
import * as NodeHttp from "./NodeHttp.js"
import * as NodeTokenStore from "./NodeTokenStore.js"
import * as NodeUploadState from "./NodeUploadState.js"

/**
 * What `layer` takes: the DandiApi options, plus the HTTP client and token store to use instead of undici and the OS keyring.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeDandiOptions extends DandiApi.DandiApiLayerOptions {
  /**
   * Where saved keys live (default: the OS keyring, falling back to memory). Pass
   * `TokenStore.layerMemory` to keep a program — or a test — away from the user's keyring.
   */
  readonly tokenStore?: Layer.Layer<TokenStore> | undefined
  /** The HTTP client (default: undici, NodeHttp.layer). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  /**
   * Where interrupted uploads keep their state (default: NodeUploadState.layer, a directory
   * chosen by the environment). `UploadState.layerDisabled` turns resuming off.
   */
  readonly uploadState?: Layer.Layer<UploadStateStore> | undefined
}

/**
 * Every service `layer` provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | DandiApi.Services
  | HashWorkerPool
  | DigestCache
  | HttpClient.HttpClient
  | Hasher
  | TokenStore
  | NodeContext.NodeContext

const platform = (options: NodeDandiOptions) =>
  Layer.mergeAll(
    options.httpClient ?? NodeHttp.layer,
    options.tokenStore ?? NodeTokenStore.layer,
    NodeHasher.layer,
    NodeContext.layer,
    NodeDigests.layer
  )

const split = (options: NodeDandiOptions): DandiApi.DandiApiLayerOptions => {
  const { httpClient: _httpClient, tokenStore: _tokenStore, ...api } = options
  return { ...api, uploadState: options.uploadState ?? NodeUploadState.layer }
}

/**
 * The SDK on Node, configured by `options` (see DandiApi.layer for the instance and key options).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: NodeDandiOptions = {}): Layer.Layer<Services, DandiApi.LayerError> =>
  DandiApi.layer(split(options)).pipe(Layer.provideMerge(platform(options)))

/**
 * The SDK on Node, configured from the environment through Effect Config (`DANDI_INSTANCE`,
 * `DANDI_INSTANCEHOST`, `DANDI_PAGE_SIZE`, … and the API key `{NAME}_API_KEY`); `options` win.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: NodeDandiOptions = {}): Layer.Layer<Services, DandiApi.LayerError> =>
  DandiApi.layerConfig(split(options)).pipe(Layer.provideMerge(platform(options)))
