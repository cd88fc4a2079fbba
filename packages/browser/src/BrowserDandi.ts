/**
 * Everything a browser application needs, in one layer:
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const api = yield* DandiApi.DandiApi
 *   yield* api.authenticate(keyFromAForm, { save: true })   // checked, then kept in localStorage
 *   const dandisets = yield* Stream.runCollect(Stream.take(api.getDandisets(), 10))
 * })
 * Effect.runPromise(program.pipe(Effect.provide(BrowserDandi.layer({ instance: "dandi", authenticate: "env-or-store" }))))
 * ```
 *
 * Provides what `DandiApi.layer` composes — DandiApi with its stack (DandiConfig, Credentials,
 * ApiClient, StorageClient, Paginator, Auth), the Downloader (verified downloads into a Blob or a WritableStream with `BlobByteSink`, ranged
 * reads with `asset.asReadable()`), the Uploader (any `File` or `Blob` through
 * `BlobByteSource.fromBlob`; no resume across page loads: upload state is kept in memory), the
 * fetch HttpClient of `BrowserHttp`, the WASM Hasher (WebCrypto has no MD5) and a localStorage
 * TokenStore (memory where storage is unavailable). In a browser `"env-or-store"` amounts to "the
 * saved key": there is no environment unless the application installs a ConfigProvider.
 *
 * How the browser differs from Node (see BrowserHttp for the details):
 * - No trace headers, and no User-Agent of ours (`userAgent: null` unless the caller chose one):
 *   both are headers the archive's CORS preflight would have to allow.
 * - fetch follows redirects itself; BrowserHttp reports the final URL as `Location`, so
 *   `resolveRedirects` and the Downloader still learn where a download route leads, and the
 *   browser drops `Authorization` on the hop to storage.
 * - Upload parts of a File or Blob go out as Blob slices with an exact `Content-Length`, never
 *   read into memory (no streamed request bodies over HTTP/1.1 in Chromium). fetch reports no
 *   upload progress, so progress advances part by part.
 * - Storage answers let script read only `ETag` (the archive's bucket CORS rule), so a ranged
 *   answer is checked by its length instead of its `Content-Range`.
 *
 * @since 0.1.0
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { Hasher } from "@dandi-effect/core/Hasher"
import type { TokenStore } from "@dandi-effect/core/TokenStore"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as BrowserHasher from "./BrowserHasher.js"
import * as BrowserHttp from "./BrowserHttp.js"
import * as BrowserTokenStore from "./BrowserTokenStore.js"

/**
 * What `layer` takes: the DandiApi options, plus the token store to use instead of localStorage.
 *
 * @since 0.1.0
 * @category models
 */
export interface BrowserDandiOptions extends DandiApi.DandiApiLayerOptions {
  /**
   * Where saved keys live (default: localStorage, falling back to memory). Pass
   * `TokenStore.layerMemory` when not every script of the page's origin can be trusted.
   */
  readonly tokenStore?: Layer.Layer<TokenStore> | undefined
  /** The fetch to send every request with (default `globalThis.fetch`, looked up per request). */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * Every service `layer` provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | DandiApi.Services
  | HttpClient.HttpClient
  | Hasher
  | TokenStore

/**
 * fetch for the SDK (see BrowserHttp).
 *
 * @since 0.1.0
 * @category layers
 */
export const httpClientLayer: Layer.Layer<HttpClient.HttpClient> = BrowserHttp.layer

const platform = (options: BrowserDandiOptions) =>
  Layer.mergeAll(
    options.fetch === undefined ? BrowserHttp.layer : BrowserHttp.layerWith(options.fetch),
    options.tokenStore ?? BrowserTokenStore.layer,
    BrowserHasher.layer
  )

const apiOptions = (options: BrowserDandiOptions): DandiApi.DandiApiLayerOptions => {
  const { fetch: _fetch, tokenStore: _tokenStore, ...api } = options
  // See the module comment: a script-set User-Agent is dropped or needs CORS approval.
  return { ...api, userAgent: api.userAgent === undefined ? null : api.userAgent }
}

/**
 * The SDK in a browser, configured by `options` (see DandiApi.layer for the instance and key options).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: BrowserDandiOptions = {}): Layer.Layer<Services, DandiApi.LayerError> =>
  // DandiApi.layer brings the Uploader (state in memory: no resume across page loads) and the Downloader.
  DandiApi.layer(apiOptions(options)).pipe(Layer.provideMerge(platform(options)))
