/**
 * The archive API's client: the token, JSON through Schema, redirects within the origin, status
 * errors. Presigned storage URLs have a client of their own (StorageClient.ts).
 *
 * ```ts
 * interface ApiClientShape {
 *   apiUrl: string                                   // e.g. https://api.dandiarchive.org/api
 *   url(path, params?): string                       // joinurl (spec §2.2) + encoded query
 *   json(schema, method, path, options?)             // Effect<A, ApiError, R>: body decoded, "" → null
 *   jsonReply(schema, method, path, options?)        // same, plus the final URL (after redirects) and status
 *   send(method, path, options?)                     // Effect<HttpClientResponse, ApiError>: status-mapped, body unread
 * }
 * ApiClient.layer  // Layer<ApiClient, never, DandiConfig | Credentials | HttpClient.HttpClient>
 * ```
 *
 * Behaviour every caller can rely on:
 * - Paths join the API URL as dandi-cli's `joinurl` does; absolute URLs are used as given.
 * - `Authorization: token <key>` goes only to the API's origin: never to storage, never to an
 *   absolute URL on another origin, never across a redirect that leaves the API origin.
 * - Redirects are followed by the client itself (the Node layer never follows them): same-origin
 *   ones (Django's trailing-slash 301) keep the token; cross-origin ones are followed without it.
 *   `redirect: "manual"` hands the 3xx back instead (downloads read `Location` themselves).
 * - Query values: `undefined`/`null` omitted, booleans as `true`/`false`, arrays repeated.
 * - One retry policy (RetryPolicy.ts), applied by the retry engine StorageClient shares, for
 *   transport failures, timeouts and 429/500/502/503/504, honouring `Retry-After` (RetryAfter.ts).
 *   Each attempt has `requestTimeout` to answer (and, for `json`, to deliver its body).
 * - Bodies are decoded strictly: a 2xx body that is not valid UTF-8, or (for `json`) not valid
 *   JSON, is damage on the way and is retried like a reset; after the last attempt it is a
 *   ResponseDecodeError. Nothing corrupted is returned as data.
 * - Until the archive has answered once, a connection that cannot be made at all (refused,
 *   unknown host, no route) fails at once with one TransportError naming the host: a wrong
 *   instance URL is reported in a second, not after the whole retry budget. Once it has answered,
 *   the same failures are retried like any other.
 * - Final statuses ≥ 400 become tagged errors (HttpErrors.ts) unless listed in `allowStatuses`.
 * - Spans are named `ApiClient.json` / `ApiClient.send` with method and query-less URL; the
 *   token is never an attribute, a log field or part of an error.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { Credentials } from "./Credentials.js"
import { DandiConfig } from "./DandiConfig.js"
import * as FetchRefusal from "./FetchRefusal.js"
import * as HttpErrors from "./HttpErrors.js"
import * as Retry from "./internal/retry.js"
import * as WebUrl from "./WebUrl.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export type { ApiError, NotFoundContext } from "./HttpErrors.js"
/**
 * @since 0.1.0
 * @category re-exports
 */
export type { HttpMethod } from "@effect/platform/HttpMethod"

/**
 * @since 0.1.0
 * @category models
 */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>

/**
 * @since 0.1.0
 * @category models
 */
export type QueryParams = Readonly<Record<string, QueryValue>>

/**
 * @since 0.1.0
 * @category models
 */
export interface ApiRequestOptions {
  /** Query parameters; `undefined`/`null` are omitted, booleans are sent as `true`/`false`. */
  readonly params?: QueryParams | undefined
  /** A JSON body (sent with `Content-Type: application/json`). */
  readonly body?: unknown
  /** How to word a 404: it becomes `NotFoundError({ resource, id, message })`. */
  readonly notFound?: HttpErrors.NotFoundContext | undefined
  /** `follow` (default) or `manual`: return 3xx responses as they are. */
  readonly redirect?: "follow" | "manual" | undefined
  /** Statuses ≥ 400 to hand back as responses instead of errors (e.g. 409 on upload init). */
  readonly allowStatuses?: ReadonlyArray<number> | undefined
  /** Credentials for this request only (used to validate a key before adopting it). */
  readonly token?: Redacted.Redacted<string> | undefined
  /** Extra headers (never logged). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApiClientShape {
  readonly apiUrl: string
  readonly url: (path: string, params?: QueryParams) => string
  readonly json: <A, I, R>(
    schema: Schema.Schema<A, I, R>,
    method: HttpMethod,
    path: string,
    options?: ApiRequestOptions
  ) => Effect.Effect<A, HttpErrors.ApiError, R>
  readonly jsonReply: <A, I, R>(
    schema: Schema.Schema<A, I, R>,
    method: HttpMethod,
    path: string,
    options?: ApiRequestOptions
  ) => Effect.Effect<JsonReply<A>, HttpErrors.ApiError, R>
  readonly send: (
    method: HttpMethod,
    path: string,
    options?: ApiRequestOptions
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpErrors.ApiError>
}

/**
 * A decoded body with where it finally came from (pagination compares `next` with `url`).
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonReply<A> {
  readonly value: A
  readonly url: string
  readonly status: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ApiClient extends Context.Tag("@dandi-effect/core/ApiClient")<ApiClient, ApiClientShape>() {}

// ---------------------------------------------------------------------------------------------
// URLs

const absolute = /^https?:\/\//i

/**
 * dandi-cli's `joinurl`: absolute paths pass through; else base minus trailing `/` + `/` + path minus leading `/`.
 *
 * @since 0.1.0
 * @category utils
 */
export const joinUrl = (base: string, path: string): string =>
  absolute.test(path) ? path : `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`

const encodeValue = (value: string | number | boolean): string =>
  typeof value === "boolean" ? (value ? "true" : "false") : String(value)

/**
 * Appends query parameters to a URL that may already have some (a `next` link, say).
 *
 * @since 0.1.0
 * @category utils
 */
export const withQuery = (url: string, params: QueryParams | undefined): string => {
  if (params === undefined) return url
  const pairs: Array<string> = []
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue
    const values = Array.isArray(value) ? value : [value as string | number | boolean]
    for (const item of values) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(encodeValue(item))}`)
  }
  if (pairs.length === 0) return url
  const hashAt = url.indexOf("#")
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt)
  const hash = hashAt === -1 ? "" : url.slice(hashAt)
  const separator = beforeHash.includes("?") ? (beforeHash.endsWith("?") || beforeHash.endsWith("&") ? "" : "&") : "?"
  return `${beforeHash}${separator}${pairs.join("&")}${hash}`
}

/**
 * scheme://host:port of a URL, or undefined when it cannot be parsed.
 *
 * @since 0.1.0
 * @category utils
 */
export const originOf = (url: string): string | undefined => WebUrl.parse(url)?.origin

// ---------------------------------------------------------------------------------------------
// The client

/** What one attempt ended with, after redirects: a value, or a status ≥ 400 with its body. */
type Answer<A> =
  | { readonly _tag: "Done"; readonly value: A; readonly response: HttpClientResponse.HttpClientResponse }
  | {
    readonly _tag: "Status"
    readonly response: HttpClientResponse.HttpClientResponse
    readonly url: string
    readonly body: string
  }

/** More hops than `maxRedirects`: not worth another attempt. */
class TooManyRedirects {
  readonly _tag = "TooManyRedirects"
}

interface Hop {
  readonly method: HttpMethod
  readonly url: string
  readonly body: { readonly json: unknown } | undefined
}

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const maxRedirects = 10

// Core compiles without DOM/Node typings; every supported runtime has TextDecoder. `fatal`: a
// damaged byte must fail the read, not become U+FFFD inside a record that still parses.
const utf8 = new (globalThis as unknown as {
  readonly TextDecoder: new(label: string, options: { readonly fatal: boolean }) => { decode(bytes: Uint8Array): string }
}).TextDecoder("utf-8", { fatal: true })

/**
 * The body as text, checked against `Content-Length` (unless compressed, when the header counts
 * the compressed bytes): a short body is a broken connection, not a JSON error.
 */
const readText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.HttpClientError | Retry.TruncatedBody | Retry.UnreadableBody> =>
  Effect.flatMap(response.arrayBuffer, (buffer): Effect.Effect<string, Retry.TruncatedBody | Retry.UnreadableBody> => {
    const declared = Number(response.headers["content-length"])
    const encoding = response.headers["content-encoding"]
    const compressed = encoding !== undefined && encoding !== "identity"
    const bodiless = response.request.method === "HEAD" || response.status === 204 || response.status === 304
    if (!compressed && !bodiless && Number.isFinite(declared) && buffer.byteLength < declared) {
      return Effect.fail(new Retry.TruncatedBody(buffer.byteLength, declared))
    }
    const bytes = new Uint8Array(buffer)
    try {
      return Effect.succeed(utf8.decode(bytes))
    } catch {
      const url = response.request.url
      // What can be shown of it: the bytes as Latin-1, so the excerpt keeps the damage visible.
      const shown = Array.from(bytes.subarray(0, 600), (byte) => String.fromCharCode(byte)).join("")
      return Effect.fail(new Retry.UnreadableBody("the body is not valid UTF-8", shown, response.status, url))
    }
  })

/** A 2xx JSON body: "" is null; text that is not JSON is damage, worth another attempt. */
const readJsonBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<
  { readonly value: unknown; readonly body: string; readonly finalUrl: string; readonly status: number },
  HttpClientError.HttpClientError | Retry.TruncatedBody | Retry.UnreadableBody
> =>
  Effect.flatMap(readText(response), (body) => {
    const reply = { body, status: response.status, finalUrl: response.request.url }
    if (body.trim().length === 0) return Effect.succeed({ ...reply, value: null })
    try {
      return Effect.succeed({ ...reply, value: JSON.parse(body) as unknown })
    } catch (error) {
      const problem = error instanceof Error ? error.message : "invalid JSON"
      return Effect.fail(new Retry.UnreadableBody(problem, body, response.status, response.request.url))
    }
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<ApiClientShape, never, DandiConfig | Credentials | HttpClient.HttpClient> = Effect
  .gen(function*() {
    const config = yield* DandiConfig
    const credentials = yield* Credentials
    // No trace headers anywhere: the archive's CORS policy (django-cors-headers defaults) does
    // not allow `traceparent`/`b3`, so browsers would fail every preflighted request.
    const raw = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const apiUrl = config.instance.api.replace(/\/+$/, "")
    const apiOrigin = originOf(apiUrl)
    const credentialsHint = `set ${config.apiKeyVariable} or authenticate with a valid API key`
    // Whether the archive has answered anything yet (any status): until then, an address that
    // refuses connections or does not resolve is reported at once instead of retried.
    const answered = yield* Ref.make(false)

    const withUserAgent = (request: HttpClientRequest.HttpClientRequest) =>
      config.userAgent === null ? request : HttpClientRequest.setHeader(request, "user-agent", config.userAgent)

    // A redirect may leave the API for storage, whose presigned URLs carry their credentials in
    // the query string: the platform's own span (which records url.full) is off for those hops.
    const bare = raw.pipe(HttpClient.withTracerDisabledWhen(() => true))

    const url = (path: string, params?: QueryParams) => withQuery(joinUrl(apiUrl, path), params)

    const isApiOrigin = (target: string) => apiOrigin !== undefined && originOf(target) === apiOrigin

    const buildRequest = (
      hop: Hop,
      token: Option.Option<Redacted.Redacted<string>>,
      headers: Readonly<Record<string, string>> | undefined
    ): HttpClientRequest.HttpClientRequest => {
      let request = withUserAgent(HttpClientRequest.make(hop.method)(hop.url))
      if (headers !== undefined) request = HttpClientRequest.setHeaders(request, headers)
      if (isApiOrigin(hop.url)) {
        request = HttpClientRequest.acceptJson(request)
        if (Option.isSome(token)) {
          request = HttpClientRequest.setHeader(request, "authorization", `token ${Redacted.value(token.value)}`)
        }
      }
      if (hop.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, hop.body.json)
      return request
    }

    /** One request, following redirects itself so that the token's scope stays under our control. */
    const executeFollowing = (
      first: Hop,
      token: Option.Option<Redacted.Redacted<string>>,
      options: ApiRequestOptions
    ): Effect.Effect<
      { readonly response: HttpClientResponse.HttpClientResponse; readonly url: string },
      HttpClientError.HttpClientError | TooManyRedirects
    > => {
      const go = (
        hop: Hop,
        redirects: number
      ): Effect.Effect<
        { readonly response: HttpClientResponse.HttpClientResponse; readonly url: string },
        HttpClientError.HttpClientError | TooManyRedirects
      > => {
        const client = isApiOrigin(hop.url) ? raw : bare
        return Effect.flatMap(client.execute(buildRequest(hop, token, options.headers)), (response) => {
          const location = response.headers["location"]
          if (options.redirect === "manual" || !redirectStatuses.has(response.status) || location === undefined) {
            return Effect.succeed({ response, url: hop.url })
          }
          if (redirects >= maxRedirects) return Effect.fail(new TooManyRedirects())
          const resolved = WebUrl.parse(location, hop.url)
          if (resolved === undefined) return Effect.succeed({ response, url: hop.url })
          const target = resolved.href
          // Fetch's rules: 303 (and 301/302 after a POST) become a body-less GET; 307/308 repeat as is.
          const becomesGet = (response.status === 303 && hop.method !== "HEAD") ||
            ((response.status === 301 || response.status === 302) && hop.method === "POST")
          const next: Hop = becomesGet ? { method: "GET", url: target, body: undefined } : { ...hop, url: target }
          return Effect.zipRight(Effect.ignore(response.text), go(next, redirects + 1))
        })
      }
      return go(first, 0)
    }

    const run = <A>(
      method: HttpMethod,
      path: string,
      options: ApiRequestOptions,
      consume: (
        response: HttpClientResponse.HttpClientResponse
      ) => Effect.Effect<A, HttpClientError.HttpClientError | Retry.TruncatedBody | Retry.UnreadableBody>
    ): Effect.Effect<A, HttpErrors.ApiError> =>
      Effect.gen(function*() {
        const target = url(path, options.params)
        const label = `${method} ${HttpErrors.displayUrl(target)}`
        yield* Effect.annotateCurrentSpan({ "http.request.method": method, "url.full": HttpErrors.displayUrl(target) })
        const token = options.token !== undefined ? Option.some(options.token) : yield* credentials.get
        const first: Hop = { method, url: target, body: options.body === undefined ? undefined : { json: options.body } }
        const allowed = options.allowStatuses ?? []

        const attempt: Effect.Effect<Answer<A>, Retry.Failure | TooManyRedirects> = executeFollowing(first, token, options)
          .pipe(
            Effect.tap(() => Ref.set(answered, true)),
            Effect.flatMap((
              { response, url: finalUrl }
            ): Effect.Effect<Answer<A>, HttpClientError.HttpClientError | Retry.TruncatedBody | Retry.UnreadableBody> =>
              response.status < 400 || allowed.includes(response.status)
                ? Effect.map(consume(response), (value) => ({ _tag: "Done", value, response }))
                : Effect.map(
                  Effect.orElseSucceed(readText(response), () => ""),
                  (body) => ({ _tag: "Status", response, url: finalUrl, body })
                )
            ),
            Effect.timeout(config.requestTimeout)
          )

        const { attempts, result } = yield* Retry.retrying(
          config.retry,
          label,
          attempt,
          (outcome) =>
            Effect.flatMap(Ref.get(answered), (hasAnswered) =>
              // An address where nothing ever answered is a wrong URL or a dead host, not a blip.
              !hasAnswered && Either.isLeft(outcome) && Retry.unreachableCode(outcome.left) !== undefined
                ? Effect.succeed(undefined)
                : Retry.classify(Either.map(outcome, (answer) => answer._tag === "Status" ? answer.response : null)))
        )
        if (Either.isLeft(result)) {
          const failure = result.left
          if (failure instanceof Retry.UnreadableBody) {
            return yield* Effect.fail(HttpErrors.decodeFailure({
              method,
              url: failure.url,
              status: failure.status,
              body: failure.body,
              problem: failure.problem,
              attempts
            }))
          }
          const refusal = FetchRefusal.find(failure)
          if (refusal?.kind === "cors") return yield* Effect.fail(HttpErrors.refusedByBrowser({ method, url: target, refusal }))
          const code = Retry.unreachableCode(failure)
          if (code !== undefined && !(yield* Ref.get(answered))) {
            return yield* Effect.fail(HttpErrors.unreachable({ method, url: target, code }))
          }
          const described = failure instanceof TooManyRedirects
            ? { reason: "Other" as const, description: `more than ${maxRedirects} redirects` }
            : Retry.transportFailure(failure)
          return yield* Effect.fail(HttpErrors.fromTransport({
            method,
            url: target,
            reason: described.reason,
            description: described.description,
            attempts
          }))
        }
        const answer = result.right
        if (answer._tag === "Done") return answer.value
        return yield* Effect.fail(HttpErrors.fromStatus({
          status: answer.response.status,
          method,
          url: answer.url,
          body: answer.body,
          contentType: answer.response.headers["content-type"],
          notFound: options.notFound,
          credentialsHint,
          attempts
        }))
      })

    const send = Effect.fn("ApiClient.send")(function*(method: HttpMethod, path: string, options?: ApiRequestOptions) {
      return yield* run(method, path, options ?? {}, Effect.succeed)
    })

    const readJson = Effect.fn("ApiClient.json")(function*(method: HttpMethod, path: string, options: ApiRequestOptions) {
      return yield* run(method, path, options, readJsonBody)
    })

    const jsonReply = <A, I, R>(
      schema: Schema.Schema<A, I, R>,
      method: HttpMethod,
      path: string,
      options?: ApiRequestOptions
    ): Effect.Effect<JsonReply<A>, HttpErrors.ApiError, R> =>
      Effect.flatMap(readJson(method, path, options ?? {}), ({ body, finalUrl, status, value }) =>
        Schema.decodeUnknown(schema)(value).pipe(
          Effect.map((decoded) => ({ value: decoded, url: finalUrl, status })),
          Effect.mapError((error) =>
            HttpErrors.decodeFailure({
              method,
              url: finalUrl,
              status,
              body,
              problem: ParseResult.TreeFormatter.formatErrorSync(error)
            })
          )
        ))

    const json = <A, I, R>(
      schema: Schema.Schema<A, I, R>,
      method: HttpMethod,
      path: string,
      options?: ApiRequestOptions
    ): Effect.Effect<A, HttpErrors.ApiError, R> =>
      Effect.map(jsonReply(schema, method, path, options), (reply) => reply.value)

    return ApiClient.of({ apiUrl, url, json, jsonReply, send })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ApiClient, never, DandiConfig | Credentials | HttpClient.HttpClient> = Layer.effect(
  ApiClient,
  make
)
