/**
 * The HttpClient of the browser package: `fetch`, adapted to what the SDK needs from it.
 *
 * - No trace headers. The archive's CORS preflight does not allow `traceparent`/`b3`, so a
 *   propagated span would turn every cross-origin request into a CORS failure; propagation is off
 *   for the whole client.
 * - Upload parts of a `Blob` or `File` (BlobByteSource) arrive here as Blob slices and go to fetch
 *   as they are: the browser sends them from the file with an exact `Content-Length`. Request
 *   bodies given as Streams (parts of other sources, such as bytes in memory) are gathered into a
 *   `Blob` first: Chromium streams a request body only over HTTP/2 or later and refuses one on
 *   HTTP/1.1, which S3-compatible stores and every loopback server speak. The SDK hashes a streamed
 *   part as it is read, so what is hashed is what the Blob holds.
 * - A followed redirect is reported as a `Location` header on the final answer. fetch follows
 *   redirects itself and hides them from script (`redirect: "manual"` yields an opaque response),
 *   but it does tell the final URL: with it the Downloader learns the presigned storage URL from
 *   one request to the API's download route and then sends its ranged requests straight to
 *   storage, renewing it through the API when it expires. The browser drops `Authorization` on
 *   the cross-origin hop (Fetch standard), so the token never reaches storage.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const gather = async (body: ReadableStream<Uint8Array>, type: string | null): Promise<Blob> => {
  const parts: Array<BlobPart> = []
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value as Uint8Array<ArrayBuffer>)
  }
  return new Blob(parts, type === null ? {} : { type })
}

const withFinalUrl = (response: Response): Response => {
  if (!response.redirected || response.url === "") return response
  const headers = new Headers(response.headers)
  headers.set("location", response.url)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/**
 * `base` (default `globalThis.fetch`) with streamed bodies sent as Blobs and the final URL of a
 * followed redirect in `Location`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetch = (base?: typeof globalThis.fetch): typeof globalThis.fetch => async (input, init) => {
  // Looked up per call, so a page that replaces globalThis.fetch (a test, a service worker shim) is honoured.
  const send = base ?? globalThis.fetch
  if (init?.body instanceof ReadableStream) {
    const { duplex: _duplex, ...rest } = init as RequestInit & { readonly duplex?: string }
    const body = await gather(init.body, new Headers(init.headers).get("content-type"))
    return withFinalUrl(await send(input, { ...rest, body }))
  }
  return withFinalUrl(await send(input, init))
}

/**
 * The browser HttpClient over `fetch` (default `globalThis.fetch`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (fetch?: typeof globalThis.fetch): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, HttpClient.withTracerPropagation(false))
  ).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.Fetch, makeFetch(fetch)))
  )

/**
 * The browser HttpClient over `globalThis.fetch`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith()
