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
 *   this page's origin (CORS), nothing answered, or the connection was lost. A `no-cors` HEAD to
 *   the same URL and probes with the request's permissions but none of its effect tell them apart
 *   (see `diagnosed` and FetchRefusal): a CORS refusal fails at once with a TransportError naming
 *   the server and what to do, instead of being retried for minutes as if the network had
 *   blinked, and a lost connection is left to the retry engine.
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

const probeName = "dandi-effect-cors-probe"

/** Methods that read: probing with them has no effect, so a probe may go to the request's own URL. */
const reads: ReadonlySet<string> = new Set(["GET", "HEAD"])

/**
 * A request the browser lets the page make exactly when it lets it make `init` to `url`, without
 * `init`'s effect. CORS decides by origin, method, header names and credentials mode, so the probe
 * keeps those: a read becomes a body-less HEAD to the same URL (following redirects as the request
 * does, so the server they lead to decides too); a write keeps its method but goes, body-less and
 * unsigned, to a path under the URL that names nothing (the archive's API answers 404, storage
 * 403), and redirects are not followed. A key is never sent with a probe: the header keeps its name
 * (which is what a preflight asks about) with a placeholder for its value.
 */
const probeOf = (url: string, init: RequestInit | undefined): { readonly url: string; readonly init: RequestInit } => {
  const method = (init?.method ?? "GET").toUpperCase()
  const headers = new Headers(init?.headers)
  if (headers.has("authorization")) headers.set("authorization", `token ${probeName}`)
  const common: RequestInit = {
    headers,
    mode: "cors",
    credentials: init?.credentials ?? "same-origin",
    cache: "no-store",
    ...(init?.signal === undefined || init.signal === null ? {} : { signal: init.signal })
  }
  return reads.has(method)
    ? { url, init: { ...common, method: "HEAD", redirect: init?.redirect ?? "follow" } }
    : { url: `${withoutQuery(url).replace(/\/?$/, "/")}${probeName}/`, init: { ...common, method, redirect: "manual" } }
}

/** Whether the probe of `init` was answered (with any status) rather than refused. */
const permitted = (send: typeof globalThis.fetch, url: string, init: RequestInit | undefined): Promise<boolean> => {
  const probe = probeOf(url, init)
  return send(probe.url, probe.init).then(() => true, () => false)
}

/** Whether `url` answers a read with a redirect (the refusal, if any, is then its destination's). */
const redirects = (send: typeof globalThis.fetch, url: string, init: RequestInit | undefined): Promise<boolean> =>
  send(url, { ...probeOf(url, init).init, redirect: "manual" }).then(
    (response) => response.type === "opaqueredirect",
    () => false
  )

/**
 * `send(input, init)`, telling apart the failures fetch reports all alike as a TypeError:
 *
 * 1. A plain `no-cors` HEAD to the same URL: unanswered, nothing is there (`unreachable`).
 * 2. The server is up, so the request was either refused by the browser (CORS) or lost on the way
 *    (a connection reset, a proxy hiccup). To fetch both look the same, and the request itself
 *    cannot be sent again to find out: against the archive a refused write has already taken
 *    effect (its API lets any origin's preflight through and refuses only the answer), so a resend
 *    would make it twice. Instead a probe that needs exactly the request's permissions and has no
 *    effect (see probeOf) is sent. Answered, the page is allowed this request, so its failure was
 *    the network's: the original TypeError goes on to the retry engine as a connection failure.
 * 3. Refused, the probe is sent once more, and only a second refusal is taken as CORS. A refusal
 *    repeats every time; a reset does not. A request lost twice in a row while the server answers
 *    (a reset, the HEAD answered, a reset) would otherwise read as a refusal: the page would be
 *    told to change a server's configuration that is fine, and a retry that would have worked
 *    would never be made. To be misread now, three requests in a row must be lost.
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
    const target = urlOf(input)
    const url = withoutQuery(target)
    const pageOrigin = globalThis.location?.origin ?? "this page"
    const answered = await send(target, {
      method: "HEAD",
      mode: "no-cors",
      credentials: "omit",
      cache: "no-store",
      ...(init?.signal === undefined || init.signal === null ? {} : { signal: init.signal })
    }).then(() => true, () => false)
    if (!answered) throw FetchRefusal.unreachable({ url, pageOrigin, cause: error })
    for (let probe = 0; probe < 2; probe++) {
      if (await permitted(send, target, init) || aborted()) throw error
    }
    const redirected = reads.has((init?.method ?? "GET").toUpperCase()) && await redirects(send, target, init)
    throw FetchRefusal.cors({ url, pageOrigin, redirected, cause: error })
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
