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
 * Provides what `DandiApi.layer` composes — the facade with its stack (DandiConfig, Credentials,
 * ApiClient, StorageClient, Paginator, Auth), the Uploader (a `File` or `Blob` goes up through
 * `BlobByteSource`; resumable state in memory) and the Downloader — on a fetch HttpClient, the
 * WASM Hasher (WebCrypto has no MD5) and a localStorage TokenStore (memory where storage is
 * unavailable). In a browser `"env-or-store"` amounts to "the saved key": there is no
 * environment unless the application installs a ConfigProvider.
 *
 * How fetch differs from the Node client:
 * - No trace headers. The archive's CORS preflight does not allow `traceparent`/`b3`, so a
 *   propagated span would turn every cross-origin request into a CORS failure; propagation is off
 *   for the whole client.
 * - fetch follows redirects itself and hides them from script (`redirect: "manual"` yields an
 *   opaque response with no status and no Location). ApiClient therefore only ever sees the final
 *   response. Downloads still work: `/assets/{id}/download/` → 302 → the presigned object-store URL
 *   is followed by the browser, which drops `Authorization` on the cross-origin hop (Fetch
 *   standard), so the token never reaches storage. What cannot work is reading a Location:
 *   `resolveRedirects` / `getContentUrl({ followRedirects })` return the URL they started from.
 * - No User-Agent of ours (`userAgent: null` unless the caller chose one): some browsers drop it,
 *   and where it is sent it is a header the archive's CORS preflight would have to allow.
 * - Request bodies are sent whole. Chromium streams a request body only over HTTP/2 and refuses
 *   one over HTTP/1.1, which is what S3 speaks, so a streamed body (an upload part) is gathered
 *   into one buffer first: an upload holds up to one part (64 MiB) per part in flight.
 *
 * @since 0.1.0
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { Hasher } from "@dandi-effect/core/Hasher"
import type { TokenStore } from "@dandi-effect/core/TokenStore"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as BrowserHasher from "./BrowserHasher.js"
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
}

/**
 * Every service `layer` provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = DandiApi.Services | HttpClient.HttpClient | Hasher | TokenStore

/** A streamed body gathered into one buffer (see the module comment: no streamed uploads over HTTP/1.1). */
const wholeBody = (request: HttpClientRequest.HttpClientRequest) => {
  const body = request.body
  if (body._tag !== "Stream") return Effect.succeed(request)
  return Stream.runCollect(body.stream).pipe(
    Effect.map((chunks) => {
      const whole = new Uint8Array(Chunk.reduce(chunks, 0, (total, chunk) => total + chunk.length))
      let at = 0
      for (const chunk of chunks) {
        whole.set(chunk, at)
        at += chunk.length
      }
      return HttpClientRequest.setBody(request, HttpBody.uint8Array(whole, body.contentType))
    }),
    Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
  )
}

/**
 * fetch, without trace propagation and with request bodies sent whole (see above).
 *
 * @since 0.1.0
 * @category layers
 */
export const httpClientLayer: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) =>
    client.pipe(HttpClient.withTracerPropagation(false), HttpClient.mapRequestEffect(wholeBody)))
).pipe(Layer.provide(FetchHttpClient.layer))

const platform = (options: BrowserDandiOptions) =>
  Layer.mergeAll(httpClientLayer, options.tokenStore ?? BrowserTokenStore.layer, BrowserHasher.layer)

const apiOptions = (options: BrowserDandiOptions): DandiApi.DandiApiLayerOptions => {
  const { tokenStore: _tokenStore, ...api } = options
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
  DandiApi.layer(apiOptions(options)).pipe(Layer.provideMerge(platform(options)))
