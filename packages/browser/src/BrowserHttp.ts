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
 * - A failed request is diagnosed: fetch says only "Failed to fetch", whether the server refused
 *   this page's origin (CORS) or nothing answered. A `no-cors` HEAD to the same URL tells them
 *   apart (see FetchRefusal): a CORS refusal fails at once with a TransportError naming the origin
 *   to allow, instead of being retried for minutes as if the network had blinked.
 * - A followed redirect is reported as a `Location` header on the final answer. fetch follows
 *   redirects itself and hides them from script (`redirect: "manual"` yields an opaque response),
 *   but it does tell the final URL: with it the Downloader learns the presigned storage URL from
 *   one request to the API's download route and then sends its ranged requests straight to
 *   storage, renewing it through the API when it expires. The browser drops `Authorization` on
 *   the cross-origin hop (Fetch standard), so the token never reaches storage.
 *
 * @since 0.1.0
 */
import * as FetchRefusal from "@dandi-effect/core/FetchRefusal"
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

const urlOf = (input: RequestInfo | URL): string =>
  typeof input === "string" ? input : input instanceof URL ? input.href : input.url

const withoutQuery = (url: string): string => url.replace(/[?#].*$/, "")

/**
 * `send(input, init)`, telling apart the failures fetch reports all alike as a TypeError. A
 * request that fails while a plain `no-cors` HEAD to the same URL is answered (opaquely: script
 * sees nothing of it, but the server did answer) is tried once more, and if it fails again the
 * browser is refusing it: CORS. When even the HEAD gets no answer, nothing is there to answer.
 * Both become FetchRefusals, which the SDK does not retry (CORS) or treats as a refused
 * connection (unreachable).
 */
const diagnosed = async (
  send: typeof globalThis.fetch,
  input: RequestInfo | URL,
  init: RequestInit | undefined
): Promise<Response> => {
  // A function, not a narrowed property: the signal may abort while we wait.
  const aborted = () => init?.signal?.aborted === true
  try {
    return await send(input, init)
  } catch (error) {
    if (!(error instanceof TypeError) || aborted()) throw error
    const url = withoutQuery(urlOf(input))
    const pageOrigin = globalThis.location?.origin ?? "this page"
    const answered = await send(urlOf(input), {
      method: "HEAD",
      mode: "no-cors",
      credentials: "omit",
      cache: "no-store",
      ...(init?.signal === undefined || init.signal === null ? {} : { signal: init.signal })
    }).then(() => true, () => false)
    if (!answered) throw FetchRefusal.unreachable({ url, pageOrigin, cause: error })
    // The server is there: one more try tells a connection reset by chance from a refusal.
    try {
      return await send(input, init)
    } catch (again) {
      if (!(again instanceof TypeError) || aborted()) throw again
      throw FetchRefusal.cors({ url, pageOrigin, cause: again })
    }
  }
}

/**
 * `base` (default `globalThis.fetch`) with streamed bodies sent as Blobs, the final URL of a
 * followed redirect in `Location`, and its bare TypeErrors told apart into FetchRefusals.
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
    return withFinalUrl(await diagnosed(send, input, { ...rest, body }))
  }
  return withFinalUrl(await diagnosed(send, input, init))
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
