/**
 * The REST layer of the SDK: one authenticated client for the archive API and one bare client
 * for presigned storage URLs.
 *
 * ```ts
 * interface ApiClientShape {
 *   apiUrl: string                                   // e.g. https://api.dandiarchive.org/api
 *   url(path, params?): string                       // joinurl (spec §2.2) + encoded query
 *   json(schema, method, path, options?)             // Effect<A, ApiError, R>: body decoded, "" → null
 *   jsonReply(schema, method, path, options?)        // same, plus the final URL (after redirects) and status
 *   send(method, path, options?)                     // Effect<HttpClientResponse, ApiError>: status-mapped, body unread
 *   storage: HttpClient.HttpClient                   // no token, no trace headers, same retry policy
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
 * - One retry policy (RetryPolicy.ts) for transport failures, timeouts and 429/500/502/503/504,
 *   honouring `Retry-After` (RetryAfter.ts). Each attempt has `requestTimeout` to answer (and, for
 *   `json`, to deliver its body).
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
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Credentials } from "./Credentials.js"
import { DandiConfig } from "./DandiConfig.js"
import * as HttpErrors from "./HttpErrors.js"
import * as RetryAfter from "./RetryAfter.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as WebUrl from "./WebUrl.js"

export type { ApiError, NotFoundContext } from "./HttpErrors.js"
export type { HttpMethod } from "@effect/platform/HttpMethod"

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>

export type QueryParams = Readonly<Record<string, QueryValue>>

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
  readonly storage: HttpClient.HttpClient
}

/** A decoded body with where it finally came from (pagination compares `next` with `url`). */
export interface JsonReply<A> {
  readonly value: A
  readonly url: string
  readonly status: number
}

export class ApiClient extends Context.Tag("@dandi-effect/core/ApiClient")<ApiClient, ApiClientShape>() {}

// ---------------------------------------------------------------------------------------------
// URLs

const absolute = /^https?:\/\//i

/** dandi-cli's `joinurl`: absolute paths pass through; else base minus trailing `/` + `/` + path minus leading `/`. */
export const joinUrl = (base: string, path: string): string =>
  absolute.test(path) ? path : `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`

const encodeValue = (value: string | number | boolean): string =>
  typeof value === "boolean" ? (value ? "true" : "false") : String(value)

/** Appends query parameters to a URL that may already have some (a `next` link, say). */
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

/** scheme://host:port of a URL, or undefined when it cannot be parsed. */
export const originOf = (url: string): string | undefined => WebUrl.parse(url)?.origin

// ---------------------------------------------------------------------------------------------
// Retrying

/** Why an attempt may deserve another go; `retryAfter` is the server's requested wait. */
interface RetryVerdict {
  readonly reason: string
  readonly retryAfter: RetryAfter.RetryAfter
}

/**
 * Runs `attempt` until it succeeds in a way `verdict` accepts or the policy runs out. Waits use
 * the Effect clock (TestClock in tests) and Effect's `Random` for jitter.
 */
const retrying = <A, E, R>(
  policy: RetryPolicy.RetryPolicy,
  label: string,
  attempt: Effect.Effect<A, E, R>,
  verdict: (result: Either.Either<A, E>) => RetryVerdict | undefined
): Effect.Effect<{ readonly result: Either.Either<A, E>; readonly attempts: number }, never, R> => {
  const go = (n: number): Effect.Effect<{ readonly result: Either.Either<A, E>; readonly attempts: number }, never, R> =>
    Effect.either(attempt).pipe(
      Effect.flatMap((result) => {
        const retry = n < policy.attempts ? verdict(result) : undefined
        if (retry === undefined) return Effect.succeed({ result, attempts: n })
        return Effect.gen(function*() {
          if (retry.retryAfter._tag === "Ignored") {
            yield* Effect.logWarning(
              `Ignoring Retry-After "${retry.retryAfter.header}" from ${label}: ${retry.retryAfter.reason}`
            )
          }
          const random = yield* Random.next
          const wait = RetryPolicy.delay(policy, n, random, RetryAfter.seconds(retry.retryAfter))
          yield* Effect.logWarning(
            `Will retry ${label} in ${Duration.format(wait)} (attempt ${n + 1} of ${policy.attempts}): ${retry.reason}`
          )
          yield* Effect.sleep(wait)
          return yield* go(n + 1)
        })
      })
    )
  return go(1)
}

const retryAfterOf = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<RetryAfter.RetryAfter> =>
  Effect.map(Clock.currentTimeMillis, (now) => RetryAfter.parse(response.headers["retry-after"], now))

const transientHttpError = (error: HttpClientError.HttpClientError): boolean =>
  error._tag === "RequestError" ? error.reason === "Transport" : error.reason === "Decode"

/**
 * Adds the retry policy to any HttpClient: transport failures and transient statuses are tried
 * again; after the last attempt the last response (or error) is returned unchanged, so callers
 * still see the status.
 */
export const withRetries = (policy: RetryPolicy.RetryPolicy) =>
(client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (execute, request) => {
    type Answer = {
      readonly response: HttpClientResponse.HttpClientResponse
      readonly retryAfter: RetryAfter.RetryAfter | undefined
    }
    const attempt: Effect.Effect<Answer, HttpClientError.HttpClientError> = Effect.flatMap(
      execute,
      (response): Effect.Effect<Answer> =>
        RetryPolicy.isRetryableStatus(response.status)
          ? Effect.map(retryAfterOf(response), (retryAfter) => ({ response, retryAfter }))
          : Effect.succeed({ response, retryAfter: undefined })
    )
    return Effect.flatMap(
      retrying(policy, `${request.method} ${HttpErrors.displayUrl(request.url)}`, attempt, (result) => {
        if (Either.isLeft(result)) {
          return transientHttpError(result.left)
            ? { reason: "connection failed", retryAfter: { _tag: "Absent" } }
            : undefined
        }
        const { response, retryAfter } = result.right
        return retryAfter === undefined ? undefined : { reason: `status ${response.status}`, retryAfter }
      }),
      ({ result }) =>
        Either.match(result, {
          onLeft: (error) => Effect.fail(error),
          onRight: ({ response }) => Effect.succeed(response)
        })
    )
  })

// ---------------------------------------------------------------------------------------------
// The client

/** What one attempt ended with, after redirects. */
type Outcome<A> =
  | { readonly _tag: "Done"; readonly value: A; readonly response: HttpClientResponse.HttpClientResponse }
  | {
    readonly _tag: "Status"
    readonly response: HttpClientResponse.HttpClientResponse
    readonly url: string
    readonly body: string
  }
  | {
    readonly _tag: "Transport"
    readonly url: string
    readonly reason: HttpErrors.TransportReason
    readonly description: string
    readonly retryable: boolean
  }

interface Hop {
  readonly method: HttpMethod
  readonly url: string
  readonly body: { readonly json: unknown } | undefined
}

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const maxRedirects = 10

const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    if (current.message.length > 0) parts.push(current.message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.join(": ")
}

const transportOutcome = (
  url: string,
  error: HttpClientError.HttpClientError | Cause.TimeoutException
): Outcome<never> => {
  if (Cause.isTimeoutException(error)) {
    return { _tag: "Transport", url, reason: "Timeout", description: "no answer in time", retryable: true }
  }
  const description = error.description ?? describeCause(error.cause)
  if (error._tag === "RequestError") {
    return error.reason === "Transport"
      ? { _tag: "Transport", url, reason: "Connection", description, retryable: true }
      : { _tag: "Transport", url, reason: "Other", description: `${error.reason}: ${description}`, retryable: false }
  }
  // A body that broke off half-way is a connection failure: worth another attempt.
  return {
    _tag: "Transport",
    url,
    reason: error.reason === "Decode" ? "Connection" : "Other",
    description,
    retryable: error.reason === "Decode"
  }
}

// Core compiles without DOM/Node typings; every supported runtime has TextDecoder.
const utf8 = new (globalThis as unknown as {
  readonly TextDecoder: new(label: string) => { decode(bytes: Uint8Array): string }
}).TextDecoder("utf-8")

/** A body shorter than its declared Content-Length: the connection broke off. */
class TruncatedBody {
  readonly _tag = "TruncatedBody"
  constructor(readonly received: number, readonly declared: number) {}
}

/**
 * The body as text, checked against `Content-Length` (unless compressed, when the header counts
 * the compressed bytes): a short body is a broken connection, not a JSON error.
 */
const readText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.HttpClientError | TruncatedBody> =>
  Effect.flatMap(response.arrayBuffer, (buffer) => {
    const declared = Number(response.headers["content-length"])
    const encoding = response.headers["content-encoding"]
    const compressed = encoding !== undefined && encoding !== "identity"
    const bodiless = response.request.method === "HEAD" || response.status === 204 || response.status === 304
    if (!compressed && !bodiless && Number.isFinite(declared) && buffer.byteLength < declared) {
      return Effect.fail(new TruncatedBody(buffer.byteLength, declared))
    }
    return Effect.succeed(utf8.decode(new Uint8Array(buffer)))
  })

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

    const withUserAgent = (request: HttpClientRequest.HttpClientRequest) =>
      config.userAgent === null ? request : HttpClientRequest.setHeader(request, "user-agent", config.userAgent)

    // Presigned URLs carry their credentials in the query string, so the platform's own span
    // (which records url.full) is switched off for everything that is not the API.
    const bare = raw.pipe(
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.mapRequest(withUserAgent)
    )
    const storage = withRetries(config.retry)(bare)

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
      HttpClientError.HttpClientError | "TooManyRedirects"
    > => {
      const go = (
        hop: Hop,
        redirects: number
      ): Effect.Effect<
        { readonly response: HttpClientResponse.HttpClientResponse; readonly url: string },
        HttpClientError.HttpClientError | "TooManyRedirects"
      > => {
        const client = isApiOrigin(hop.url) ? raw : bare
        return Effect.flatMap(client.execute(buildRequest(hop, token, options.headers)), (response) => {
          const location = response.headers["location"]
          if (options.redirect === "manual" || !redirectStatuses.has(response.status) || location === undefined) {
            return Effect.succeed({ response, url: hop.url })
          }
          if (redirects >= maxRedirects) return Effect.fail("TooManyRedirects" as const)
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
      ) => Effect.Effect<A, HttpClientError.HttpClientError | TruncatedBody>
    ): Effect.Effect<A, HttpErrors.ApiError> =>
      Effect.gen(function*() {
        const target = url(path, options.params)
        const label = `${method} ${HttpErrors.displayUrl(target)}`
        yield* Effect.annotateCurrentSpan({ "http.request.method": method, "url.full": HttpErrors.displayUrl(target) })
        const token = options.token !== undefined ? Option.some(options.token) : yield* credentials.get
        const first: Hop = { method, url: target, body: options.body === undefined ? undefined : { json: options.body } }
        const allowed = options.allowStatuses ?? []

        const attempt: Effect.Effect<Outcome<A>> = executeFollowing(first, token, options).pipe(
          Effect.flatMap((
            { response, url: finalUrl }
          ): Effect.Effect<Outcome<A>, HttpClientError.HttpClientError | TruncatedBody> =>
            response.status < 400 || allowed.includes(response.status)
              ? Effect.map(consume(response), (value) => ({ _tag: "Done", value, response }))
              : Effect.map(
                Effect.orElseSucceed(readText(response), () => ""),
                (body) => ({ _tag: "Status", response, url: finalUrl, body })
              )
          ),
          Effect.timeout(config.requestTimeout),
          Effect.catchAll((error): Effect.Effect<Outcome<A>> =>
            error instanceof TruncatedBody
              ? Effect.succeed({
                _tag: "Transport",
                url: target,
                reason: "Connection",
                description: `the body ended after ${error.received} of ${error.declared} bytes`,
                retryable: true
              })
              : error === "TooManyRedirects"
              ? Effect.succeed({
                _tag: "Transport",
                url: target,
                reason: "Other",
                description: `more than ${maxRedirects} redirects`,
                retryable: false
              })
              : Effect.succeed(transportOutcome(target, error))
          )
        )

        const { attempts, result } = yield* retrying(
          config.retry,
          label,
          Effect.flatMap(attempt, (outcome) =>
            outcome._tag === "Status" && RetryPolicy.isRetryableStatus(outcome.response.status)
              ? Effect.map(retryAfterOf(outcome.response), (retryAfter) => ({ outcome, retryAfter }))
              : Effect.succeed({ outcome, retryAfter: { _tag: "Absent" } as RetryAfter.RetryAfter })),
          (either) => {
            const { outcome, retryAfter } = Either.getOrThrow(either)
            if (outcome._tag === "Transport") {
              return outcome.retryable ? { reason: `${outcome.reason}: ${outcome.description}`, retryAfter } : undefined
            }
            if (outcome._tag === "Status" && RetryPolicy.isRetryableStatus(outcome.response.status)) {
              return { reason: `status ${outcome.response.status}`, retryAfter }
            }
            return undefined
          }
        )
        const { outcome } = Either.getOrThrow(result)
        switch (outcome._tag) {
          case "Done":
            return outcome.value
          case "Status":
            return yield* Effect.fail(HttpErrors.fromStatus({
              status: outcome.response.status,
              method,
              url: outcome.url,
              body: outcome.body,
              contentType: outcome.response.headers["content-type"],
              notFound: options.notFound,
              credentialsHint,
              attempts
            }))
          case "Transport":
            return yield* Effect.fail(HttpErrors.fromTransport({
              method,
              url: outcome.url,
              reason: outcome.reason,
              description: outcome.description,
              attempts
            }))
        }
      })

    const send = Effect.fn("ApiClient.send")(function*(method: HttpMethod, path: string, options?: ApiRequestOptions) {
      return yield* run(method, path, options ?? {}, Effect.succeed)
    })

    const readJson = Effect.fn("ApiClient.json")(function*(method: HttpMethod, path: string, options: ApiRequestOptions) {
      const { body, finalUrl, status } = yield* run(
        method,
        path,
        options,
        (response) =>
          Effect.map(readText(response), (body) => ({ body, status: response.status, finalUrl: response.request.url }))
      )
      if (body.trim().length === 0) return { value: null as unknown, body, finalUrl, status }
      try {
        return { value: JSON.parse(body) as unknown, body, finalUrl, status }
      } catch (error) {
        return yield* HttpErrors.decodeFailure({
          method,
          url: finalUrl,
          status,
          body,
          problem: error instanceof Error ? error.message : "invalid JSON"
        })
      }
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

    return ApiClient.of({ apiUrl, url, json, jsonReply, send, storage })
  })

export const layer: Layer.Layer<ApiClient, never, DandiConfig | Credentials | HttpClient.HttpClient> = Layer.effect(
  ApiClient,
  make
)
