/**
 * A scripted HttpClient for the HTTP-stack tests: every request is recorded (method, URL,
 * headers, body) and answered by a handler, with no sockets.
 */
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { type Duration, Effect, Layer, type Redacted } from "effect"
import * as ApiClient from "@dandi-effect/core/ApiClient"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Paginator from "@dandi-effect/core/Paginator"
import * as StorageClient from "@dandi-effect/core/StorageClient"
import type * as RetryPolicy from "@dandi-effect/core/RetryPolicy"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** "reset" answers with a transport failure, as a dropped connection would. */
export type Answer = Response | "reset"

export type Handler = (request: Recorded, index: number) => Answer | Effect.Effect<Answer>

export const apiUrl = "https://api.test/api"

export const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag === "Uint8Array") return new TextDecoder().decode(body.body)
  if (body._tag === "Raw" && typeof body.body === "string") return body.body
  return ""
}

/** A recording client; `log` grows as requests arrive. */
export const mockClient = (handler: Handler) => {
  const log: Array<Recorded> = []
  const client = HttpClient.make((request, url) => {
    const recorded: Recorded = {
      method: request.method,
      url: url.toString(),
      headers: { ...request.headers },
      body: bodyText(request)
    }
    const index = log.length
    log.push(recorded)
    const answer = handler(recorded, index)
    return Effect.flatMap(Effect.isEffect(answer) ? answer : Effect.succeed(answer), (response) =>
      response === "reset"
        ? Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("socket hang up") })
        )
        : Effect.succeed(HttpClientResponse.fromWeb(request, response)))
  })
  return { client, log }
}

export const json = (value: unknown, init?: ResponseInit): Response =>
  new Response(JSON.stringify(value), {
    ...init,
    headers: { "content-type": "application/json", ...(init?.headers as Record<string, string> | undefined) }
  })

export interface StackOptions {
  readonly token?: Redacted.Redacted<string>
  readonly retry?: Partial<RetryPolicy.RetryPolicy>
  readonly pageSize?: number
  readonly pageConcurrency?: number
  readonly requestTimeout?: number
  readonly api?: string
}

/** ApiClient + StorageClient + Paginator + Credentials over the mock, with jitter off so waits are exact. */
export const stack = (handler: Handler, options: StackOptions = {}) => {
  const { client, log } = mockClient(handler)
  const config = DandiConfig.layerStatic({
    instance: { name: "test", gui: null, api: options.api ?? apiUrl },
    retry: { jitter: 0, ...options.retry },
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.pageConcurrency === undefined ? {} : { pageConcurrency: options.pageConcurrency }),
    ...(options.requestTimeout === undefined ? {} : { requestTimeout: options.requestTimeout })
  })
  const base = Layer.mergeAll(config, Credentials.layer(options.token), Layer.succeed(HttpClient.HttpClient, client))
  const api = Layer.merge(ApiClient.layer, StorageClient.layer).pipe(Layer.provideMerge(base))
  const layer = Paginator.layer.pipe(Layer.provideMerge(api))
  return { layer, log }
}

export interface PagingServerOptions {
  readonly total: number
  /** The server's cap on page_size (the archive's is 1000). */
  readonly maxPageSize?: number
  /** The nested asset list: count only on page 1, past-the-end pages are empty 200s. */
  readonly lazy?: boolean
  /** No count at all, even on page 1. */
  readonly noCount?: boolean
  /** Delay per page, in virtual time, by page number. */
  readonly delay?: (page: number) => Duration.DurationInput
  /** Observes requests starting and finishing. */
  readonly onStart?: () => void
  readonly onEnd?: (interrupted: boolean) => void
}

/**
 * Pages through items 1..total like DandiPagination: `next` is the request URL with `page` set and
 * the query re-encoded in sorted key order.
 */
export const pagingServer = (options: PagingServerOptions): Handler => (request) => {
  const url = new URL(request.url)
  const requested = Number(url.searchParams.get("page_size") ?? "100")
  const size = Math.min(requested, options.maxPageSize ?? 1000)
  const page = Number(url.searchParams.get("page") ?? "1")
  const pages = Math.max(1, Math.ceil(options.total / size))
  const start = (page - 1) * size
  const results = Array.from({ length: Math.max(0, Math.min(size, options.total - start)) }, (_, i) => ({ n: start + i + 1 }))
  const nextUrl = new URL(url.toString())
  nextUrl.searchParams.set("page", String(page + 1))
  nextUrl.searchParams.sort()
  const body = {
    count: options.noCount || (options.lazy && page > 1) ? null : options.total,
    next: page < pages ? nextUrl.toString() : null,
    previous: null,
    results
  }
  const response = page > pages && !options.lazy ? json({ detail: "Invalid page." }, { status: 404 }) : json(body)
  const delay = options.delay?.(page) ?? 0
  return Effect.sleep(delay).pipe(
    Effect.as(response),
    Effect.onExit((exit) => Effect.sync(() => options.onEnd?.(exit._tag === "Failure"))),
    Effect.zipLeft(Effect.void),
    (effect) => Effect.zipRight(Effect.sync(() => options.onStart?.()), effect)
  )
}
