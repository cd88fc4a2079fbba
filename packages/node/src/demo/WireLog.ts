/**
 * A witness on the wire for the demo: every request the SDK sends is recorded (method, origin,
 * whether it carried an `Authorization` header; never the header's value), so the demo can prove
 * what it claims, e.g. that the API key went only to the API origin and that a listing with
 * inline metadata cost a single request.
 *
 * ```ts
 * const log = yield* WireLog.WireLog
 * const client = WireLog.httpClient.pipe(Layer.provide(Layer.succeed(WireLog.WireLog, log)))  // Layer<HttpClient>
 * NodeDandi.layer({ instance, httpClient: client })
 * const sent = yield* log.requests                  // ReadonlyArray<WireRequest>
 * authorizedOrigins(sent)                           // ["http://127.0.0.1:8123"]
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as NodeHttp from "../NodeHttp.js"
import { originOf } from "./Narration.js"

/**
 * One request as the wire log keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireRequest {
  readonly method: string
  /** `scheme://host:port` of the request URL. */
  readonly origin: string
  /** Whether an `Authorization` header went with it. */
  readonly authorized: boolean
}

/**
 * What the WireLog service offers.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireLogShape {
  readonly record: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<void>
  /** Every request recorded so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<WireRequest>>
}

/**
 * The requests a program sent, as the demo shows them: method, origin, and whether a key went along.
 *
 * @since 0.1.0
 * @category tags
 */
export class WireLog extends Context.Tag("@dandi-effect/node/demo/WireLog")<WireLog, WireLogShape>() {}

/**
 * The undici HttpClient, recording each request in WireLog before it is sent.
 *
 * @since 0.1.0
 * @category layers
 */
export const httpClient: Layer.Layer<HttpClient.HttpClient, never, WireLog> = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const log = yield* WireLog
    const client = yield* HttpClient.HttpClient
    return HttpClient.tapRequest(client, log.record)
  })
).pipe(Layer.provide(NodeHttp.layer))

/**
 * What is kept of a request: the header's presence, never its value.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (request: HttpClientRequest.HttpClientRequest): WireRequest => ({
  method: request.method,
  origin: originOf(request.url),
  authorized: request.headers["authorization"] !== undefined
})

/**
 * An empty wire log.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<WireLogShape> = Effect.map(
  Ref.make<ReadonlyArray<WireRequest>>([]),
  (ref) => ({
    record: (request) => Ref.update(ref, (sent) => [...sent, describe(request)]),
    requests: Ref.get(ref)
  })
)

/**
 * An empty wire log as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<WireLog> = Layer.effect(WireLog, make)

/**
 * The distinct origins that received an `Authorization` header, in order of first use.
 *
 * @since 0.1.0
 * @category utils
 */
export const authorizedOrigins = (requests: ReadonlyArray<WireRequest>): ReadonlyArray<string> => [
  ...new Set(requests.filter((request) => request.authorized).map((request) => request.origin))
]

/**
 * How many requests went to `origin`.
 *
 * @since 0.1.0
 * @category utils
 */
export const countTo = (requests: ReadonlyArray<WireRequest>, origin: string): number =>
  requests.filter((request) => request.origin === origin).length
