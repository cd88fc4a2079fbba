/**
 * What stands between a transport and the archive emulator: CORS preflights and headers, then
 * fault injection, then the emulator's API or object-store handler. Both transports (the
 * in-process HttpClient and the loopback server) go through this one module, so a test sees the
 * same behaviour whichever way it reaches the emulator.
 *
 * A reply's body is a stream that may fail with {@link ConnectionReset}: the in-process transport
 * turns that into a failing response body, the loopback server into a destroyed socket. A body
 * that ends before its `content-length` is a truncation; the loopback server then closes the
 * connection.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ArchiveEmulator, type ArchiveEmulatorShape } from "./ArchiveEmulator.js"
import * as Cors from "./Cors.js"
import type { EmulatorOrigin, EmulatorRequest, EmulatorResponse } from "./EmulatorHttp.js"
import * as Hasher from "../Hasher.js"
import * as Faults from "./Faults.js"
import * as RequestUrl from "./RequestUrl.js"
import * as ServerDigests from "./ServerDigests.js"
import * as Utf8 from "./Utf8.js"

/** The connection was dropped by an injected fault. */
export class ConnectionReset extends Schema.TaggedError<ConnectionReset>("@dandi-effect/core/testing/ConnectionReset")(
  "ConnectionReset",
  { message: Schema.String }
) {}

export type ReplyBody =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, ConnectionReset> }

export interface Reply {
  readonly status: number
  /** Lower-cased names; `content-length` is the declared length (a truncated body delivers less). */
  readonly headers: Readonly<Record<string, string>>
  readonly body: ReplyBody
}

export interface FrontDoorOptions {
  readonly faults?: Faults.FaultPlan | undefined
  /** Origins allowed to write cross-origin; defaults to the emulator's web origin, if any. */
  readonly allowedOrigins?: ReadonlyArray<string | RegExp> | undefined
  /** Origins the object store answers cross-origin; every origin (`"*"`) by default, as DANDI's buckets. */
  readonly storageAllowedOrigins?: ReadonlyArray<string | RegExp> | undefined
  /** Where `fault:` lines go; `Effect.logWarning` by default. */
  readonly reportFault?: Faults.FaultReporter | undefined
  /**
   * Sees every request before it is handled (after CORS preflights, before faults). Tests use it
   * to observe what a client sends and to hold a request (by not returning) at a chosen point.
   */
  readonly observe?: ((origin: EmulatorOrigin, request: EmulatorRequest) => Effect.Effect<void>) | undefined
}

export interface FrontDoorShape {
  readonly emulator: ArchiveEmulatorShape
  /** Which side of the emulator an absolute URL addresses, or `undefined` for a foreign origin. */
  readonly originOf: (url: string) => EmulatorOrigin | undefined
  readonly handle: (origin: EmulatorOrigin, request: EmulatorRequest) => Effect.Effect<Reply, ConnectionReset>
}

export class FrontDoor extends Context.Tag("@dandi-effect/core/testing/FrontDoor")<FrontDoor, FrontDoorShape>() {}

const normalizedOrigin = (url: string): string => RequestUrl.parse(url).origin.toLowerCase()

const reasonPhrases: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

const bytesResponse = (status: number, contentType: string, text: string, extra: Record<string, string> = {}) => {
  const bytes = Utf8.encode(text)
  return {
    status,
    headers: { ...extra, "content-type": contentType, "content-length": String(bytes.length) },
    body: { _tag: "Bytes", bytes }
  } satisfies Reply
}

const s3ErrorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
  `<RequestId>EMULATORFAULT</RequestId><HostId>emulator</HostId></Error>`

/** The answer of a proxy or store that refuses the request before it reaches the archive. */
const injectedStatus = (origin: EmulatorOrigin, status: number, retryAfter: number | undefined): Reply => {
  const extra: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }
  const phrase = reasonPhrases[status] ?? "Injected Fault"
  if (origin === "s3") {
    const [code, message] = status === 503
      ? ["SlowDown", "Please reduce your request rate."]
      : status === 500
      ? ["InternalError", "We encountered an internal error. Please try again."]
      : ["InjectedFault", phrase]
    return bytesResponse(status, "application/xml", s3ErrorXml(code, message), extra)
  }
  if (status === 429) {
    const detail = retryAfter === undefined
      ? "Request was throttled."
      : `Request was throttled. Expected available in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`
    return bytesResponse(status, "application/json", JSON.stringify({ detail }), extra)
  }
  if (status >= 500) {
    return bytesResponse(
      status,
      "text/html",
      `<html><head><title>${status} ${phrase}</title></head><body><center><h1>${status} ${phrase}</h1></center></body></html>`,
      extra
    )
  }
  return bytesResponse(status, "application/json", JSON.stringify({ detail: phrase }), extra)
}

const expiredUrl: Reply = bytesResponse(403, "application/xml", s3ErrorXml("AccessDenied", "Request has expired"))

/** The store's success answer to a PUT whose bytes it then drops. */
const lostWrite = (request: EmulatorRequest): Reply => ({
  status: 200,
  headers: { etag: `"${ServerDigests.md5Hex(Hasher.portable, request.body)}"`, "content-length": "0" },
  body: { _tag: "Empty" }
})

const fromEmulator = (response: EmulatorResponse): Reply => {
  const body = response.body
  switch (body._tag) {
    case "Empty": {
      const noBody = response.status === 204 || response.status === 304 || response.status < 200
      // HEAD answers carry the GET's length in their headers; keep it.
      const headers = noBody || response.headers["content-length"] !== undefined
        ? response.headers
        : { ...response.headers, "content-length": "0" }
      return { status: response.status, headers, body: { _tag: "Empty" } }
    }
    case "Bytes":
      return {
        status: response.status,
        headers: { ...response.headers, "content-length": String(body.bytes.length) },
        body
      }
    case "Stream":
      return {
        status: response.status,
        headers: { ...response.headers, "content-length": String(body.length) },
        body: { _tag: "Stream", stream: body.stream }
      }
  }
}

/**
 * Header values as a socket carries them: HTTP headers are bytes, so text beyond Latin-1 (a
 * non-ASCII file name in Content-Disposition) travels as its UTF-8 bytes, read back one
 * character per byte, as a client of the real object store sees it. Without this, fetch's
 * `Response` and node:http would both reject such a value outright.
 */
const onTheWire = (reply: Reply): Reply => {
  let headers: Record<string, string> | undefined
  for (const [name, value] of Object.entries(reply.headers)) {
    if (!/[\u0100-\uffff]/.test(value)) continue
    headers ??= { ...reply.headers }
    headers[name] = String.fromCharCode(...Utf8.encode(value))
  }
  return headers === undefined ? reply : { ...reply, headers }
}

const bodyStream = (body: ReplyBody): Stream.Stream<Uint8Array, ConnectionReset> =>
  body._tag === "Empty" ? Stream.empty : body._tag === "Bytes" ? Stream.make(body.bytes) : body.stream

/** The first `limit` bytes of a stream; stops pulling the source once reached. */
const limitBytes = <E>(stream: Stream.Stream<Uint8Array, E>, limit: number): Stream.Stream<Uint8Array, E> =>
  limit <= 0
    ? Stream.empty
    : stream.pipe(
      Stream.mapAccum(0, (sent, chunk) => {
        const part = chunk.subarray(0, Math.max(0, limit - sent))
        return [sent + part.length, [part, sent + part.length >= limit] as const] as const
      }),
      Stream.takeUntil(([, done]) => done),
      Stream.map(([part]) => part),
      Stream.filter((part) => part.length > 0)
    )

const flipBytes = <E>(stream: Stream.Stream<Uint8Array, E>, positions: ReadonlySet<number>) =>
  stream.pipe(
    Stream.mapAccum(0, (offset, chunk) => {
      let copy: Uint8Array | undefined
      for (const position of positions) {
        if (position >= offset && position < offset + chunk.length) {
          copy ??= Uint8Array.from(chunk)
          copy[position - offset] = copy[position - offset]! ^ 0xff
        }
      }
      return [offset + chunk.length, copy ?? chunk] as const
    })
  )

const pace = <E>(stream: Stream.Stream<Uint8Array, E>, bytesPerSecond: number) => {
  // Tenth-of-a-second slices keep the rate smooth without a timer per byte.
  const slice = Math.max(1, Math.floor(bytesPerSecond / 10))
  return stream.pipe(
    Stream.flatMap((chunk) => {
      const parts: Array<Uint8Array> = []
      for (let at = 0; at < chunk.length; at += slice) parts.push(chunk.subarray(at, at + slice))
      return Stream.fromIterable(parts)
    }),
    Stream.mapEffect((part) => Effect.as(Effect.sleep(Duration.millis((part.length * 1000) / bytesPerSecond)), part))
  )
}

/** The request as a server that does not support ranges sees it. */
const withoutRange = (request: EmulatorRequest): EmulatorRequest => {
  const { range: _range, ...headers } = request.headers
  return { ...request, headers }
}

const listItemCount = (reply: Reply): number => {
  if (reply.body._tag !== "Bytes") return 0
  if (!(reply.headers["content-type"] ?? "").includes("json")) return 0
  try {
    const json: unknown = JSON.parse(Utf8.decode(reply.body.bytes))
    if (typeof json === "object" && json !== null && "results" in json && Array.isArray(json.results)) {
      return json.results.length
    }
  } catch {
    // Not JSON after all: no items to delay on.
  }
  return 0
}

export const make = (
  emulator: ArchiveEmulatorShape,
  options: FrontDoorOptions = {}
): Effect.Effect<FrontDoorShape> =>
  Effect.sync(() => {
    const apiOrigin = normalizedOrigin(emulator.options.apiUrl)
    const storageOrigin = normalizedOrigin(emulator.options.storageUrl)
    const cors: Cors.CorsOptions = {
      allowedOrigins: options.allowedOrigins ??
        (emulator.options.webUrl === undefined ? [] : [RequestUrl.parse(emulator.options.webUrl).origin]),
      storageAllowedOrigins: options.storageAllowedOrigins
    }
    const injector = Faults.makeInjector(options.faults ?? { rules: [] }, options.reportFault)

    const originOf = (url: string): EmulatorOrigin | undefined => {
      const origin = normalizedOrigin(url)
      return origin === apiOrigin ? "api" : origin === storageOrigin ? "s3" : undefined
    }

    const withCors = (origin: EmulatorOrigin, request: EmulatorRequest, reply: Reply): Reply =>
      onTheWire({ ...reply, headers: { ...reply.headers, ...Cors.responseHeaders(origin, request, cors) } })

    const handle = Effect.fn("FrontDoor.handle")(function*(origin: EmulatorOrigin, request: EmulatorRequest) {
      const preflight = Cors.preflight(origin, request, cors)
      if (preflight !== undefined) return onTheWire(fromEmulator(preflight))
      if (options.observe !== undefined) yield* options.observe(origin, request)

      const hits = yield* injector.decide(origin, request)
      for (const hit of hits) {
        const rule = hit.rule
        if (rule.action === "status") {
          const status = rule.status ?? 503
          yield* injector.report(
            hit,
            origin,
            request,
            `${status}${rule.retryAfter === undefined ? "" : ` retry-after=${rule.retryAfter}`}`
          )
          return withCors(origin, request, injectedStatus(origin, status, rule.retryAfter))
        }
        if (rule.action === "expire") {
          yield* injector.report(hit, origin, request, "")
          return withCors(origin, request, expiredUrl)
        }
        if (rule.action === "lose" && request.method.toUpperCase() === "PUT") {
          yield* injector.report(hit, origin, request, `${request.body.length} bytes`)
          return withCors(origin, request, lostWrite(request))
        }
        if (rule.action === "reset" && rule.afterBytes === undefined) {
          yield* injector.report(hit, origin, request, "before response")
          return yield* new ConnectionReset({ message: "connection reset by injected fault before the response" })
        }
      }

      const ignoreRange = hits.find((hit) => hit.rule.action === "ignoreRange")
      if (ignoreRange !== undefined && request.headers["range"] !== undefined) {
        yield* injector.report(ignoreRange, origin, request, request.headers["range"])
      }
      const served = ignoreRange === undefined ? request : withoutRange(request)
      const response = yield* (origin === "api" ? emulator.handleApi(served) : emulator.handleStorage(served))
      let reply = fromEmulator(response)
      const declaredLength = Number(reply.headers["content-length"] ?? 0)

      for (const hit of hits) {
        const rule = hit.rule
        switch (rule.action) {
          case "delay": {
            const items = listItemCount(reply)
            const millis = (rule.delayMs ?? 0) + (rule.perItemMs ?? 0) * items
            yield* injector.report(hit, origin, request, `${millis}ms`)
            yield* Effect.sleep(Duration.millis(millis))
            break
          }
          case "reset": {
            const afterBytes = rule.afterBytes ?? 0
            yield* injector.report(hit, origin, request, `after ${afterBytes} bytes`)
            reply = {
              ...reply,
              body: {
                _tag: "Stream",
                stream: Stream.concat(
                  limitBytes(bodyStream(reply.body), afterBytes),
                  Stream.fail(
                    new ConnectionReset({ message: `connection reset by injected fault after ${afterBytes} bytes` })
                  )
                )
              }
            }
            break
          }
          case "truncate": {
            const afterBytes = rule.afterBytes ?? 0
            yield* injector.report(hit, origin, request, `after ${afterBytes} of ${declaredLength} bytes`)
            reply = { ...reply, body: { _tag: "Stream", stream: limitBytes(bodyStream(reply.body), afterBytes) } }
            break
          }
          case "stall": {
            const afterBytes = rule.afterBytes ?? 0
            yield* injector.report(hit, origin, request, `after ${afterBytes} of ${declaredLength} bytes`)
            reply = {
              ...reply,
              body: { _tag: "Stream", stream: Stream.concat(limitBytes(bodyStream(reply.body), afterBytes), Stream.never) }
            }
            break
          }
          case "corrupt": {
            if (declaredLength === 0 || reply.body._tag === "Empty") break
            const count = Math.min(rule.bytes ?? 1, declaredLength)
            const positions = new Set<number>()
            while (positions.size < count) {
              positions.add(Math.floor((yield* injector.random) * declaredLength))
            }
            yield* injector.report(
              hit,
              origin,
              request,
              `${count} byte${count === 1 ? "" : "s"} at ${[...positions].sort((a, b) => a - b).join(",")}`
            )
            reply = { ...reply, body: { _tag: "Stream", stream: flipBytes(bodyStream(reply.body), positions) } }
            break
          }
          case "etag": {
            if (reply.headers["etag"] === undefined) break
            yield* injector.report(hit, origin, request, "")
            reply = { ...reply, headers: { ...reply.headers, etag: "\"00000000000000000000000000000000\"" } }
            break
          }
          case "throttle": {
            const rate = rule.bytesPerSecond ?? 1
            yield* injector.report(hit, origin, request, `${rate} bytes/s`)
            reply = { ...reply, body: { _tag: "Stream", stream: pace(bodyStream(reply.body), rate) } }
            break
          }
          default:
            break
        }
      }
      return withCors(origin, request, reply)
    })

    return { emulator, originOf, handle }
  })

export const layer = (options: FrontDoorOptions = {}): Layer.Layer<FrontDoor, never, ArchiveEmulator> =>
  Layer.effect(FrontDoor, Effect.flatMap(ArchiveEmulator, (emulator) => make(emulator, options)))
