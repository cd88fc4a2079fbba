/**
 * An `HttpClient` wired straight to the archive emulator: no sockets, same wire semantics as the
 * loopback server (both go through the {@link FrontDoor}). Like the Node client layers it never
 * follows redirects, and a URL on any other origin fails as a DNS failure would, with a
 * `RequestError` of reason `Transport`.
 *
 * Default origins of {@link layerInProcess} (reserved `.test` TLD, so they can never resolve):
 * API `http://api.dandi.test/api`, object store `http://s3.dandi.test`, web app `http://dandi.test`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { Hasher } from "../Hasher.js"
import * as ArchiveEmulator from "./ArchiveEmulator.js"
import type { ArchiveAdmin } from "./EmulatorAdmin.js"
import type { EmulatorRequest } from "./EmulatorHttp.js"
import type * as Faults from "./Faults.js"
import * as FrontDoor from "./FrontDoor.js"
import * as RequestUrl from "./RequestUrl.js"

export const defaultApiUrl = "http://api.dandi.test/api"
export const defaultStorageUrl = "http://s3.dandi.test"
export const defaultWebUrl = "http://dandi.test"

// Core compiles without DOM typings; every runtime we support has the fetch `Response` class.
interface WebResponse {
  readonly headers: { get(name: string): string | null }
  arrayBuffer(): Promise<ArrayBuffer>
}
interface WebGlobals {
  readonly Response: new(
    body?: unknown,
    init?: { readonly status: number; readonly headers: Readonly<Record<string, string>> }
  ) => WebResponse
}
const web = globalThis as unknown as WebGlobals

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => {
  let total = 0
  for (const chunk of chunks) total += chunk.length
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Encode", cause })

/** The request body as bytes, plus the content type the body itself implies (e.g. multipart). */
const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<{ readonly bytes: Uint8Array; readonly contentType?: string | undefined }, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ bytes: new Uint8Array(0) })
    case "Uint8Array":
      return Effect.succeed({ bytes: body.body, contentType: body.contentType })
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => ({ bytes: concat(chunks), contentType: body.contentType })),
        Effect.mapError((cause) => encodeError(request, cause))
      )
    case "Raw":
    case "FormData": {
      // Let the platform's own Response serialise Blobs, strings, buffers and form data.
      const source = body._tag === "Raw" ? body.body : body.formData
      return Effect.tryPromise({
        try: async () => {
          const response = new web.Response(source)
          return {
            bytes: new Uint8Array(await response.arrayBuffer()),
            contentType: (body._tag === "Raw" ? body.contentType : undefined) ??
              response.headers.get("content-type") ?? undefined
          }
        },
        catch: (cause) => encodeError(request, cause)
      })
    }
  }
}

const toEmulatorRequest = (request: HttpClientRequest.HttpClientRequest, url: string) =>
  Effect.map(requestBody(request), ({ bytes, contentType }): EmulatorRequest => {
    const headers: Record<string, string> = { host: RequestUrl.parse(url).origin.replace(/^[a-z]+:\/\//i, "") }
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
    if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
    if (bytes.length > 0 || request.method === "POST" || request.method === "PUT" || request.method === "PATCH") {
      headers["content-length"] = String(bytes.length)
    }
    return { method: request.method, url, headers, body: bytes }
  })

const hasNoBody = (method: string, status: number) =>
  method === "HEAD" || status === 204 || status === 205 || status === 304

/** An HttpClient over a front door. */
export const make = (frontDoor: FrontDoor.FrontDoorShape): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const href = String(url)
      const origin = frontDoor.originOf(href)
      if (origin === undefined) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          description: `getaddrinfo ENOTFOUND ${RequestUrl.parse(href).origin} (not an origin of the in-process emulator)`
        })
      }
      const emulatorRequest = yield* toEmulatorRequest(request, href)
      const reply = yield* frontDoor.handle(origin, emulatorRequest).pipe(
        Effect.mapError((cause) =>
          new HttpClientError.RequestError({ request, reason: "Transport", cause, description: cause.message })
        )
      )
      const body = hasNoBody(request.method, reply.status) || reply.body._tag === "Empty"
        ? null
        : reply.body._tag === "Bytes"
        ? reply.body.bytes
        // The readable stream runs with this fiber's services, so injected throttling and
        // delays follow the test's clock.
        : yield* Stream.toReadableStreamEffect(reply.body.stream)
      return HttpClientResponse.fromWeb(
        request,
        new web.Response(body, { status: reply.status, headers: reply.headers }) as unknown as Parameters<
          typeof HttpClientResponse.fromWeb
        >[1]
      )
    })
  )

/** An HttpClient on the emulator in context, with no faults. */
export const layer: Layer.Layer<HttpClient.HttpClient, never, ArchiveEmulator.ArchiveEmulator> = Layer.effect(
  HttpClient.HttpClient,
  Effect.flatMap(ArchiveEmulator.ArchiveEmulator, (emulator) => FrontDoor.make(emulator)).pipe(Effect.map(make))
)

/** An HttpClient over the front door in context (faults and CORS as configured there). */
export const layerFrontDoor: Layer.Layer<HttpClient.HttpClient, never, FrontDoor.FrontDoor> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(FrontDoor.FrontDoor, make)
)

export interface InProcessOptions extends Partial<ArchiveEmulator.ArchiveEmulatorOptions> {
  readonly faults?: Faults.FaultPlan | undefined
  readonly allowedOrigins?: ReadonlyArray<string | RegExp> | undefined
  readonly reportFault?: Faults.FaultReporter | undefined
  /** Sees (and may hold) every request before it is handled; see FrontDoorOptions.observe. */
  readonly observe?: FrontDoor.FrontDoorOptions["observe"]
  /** Seeds the fresh archive when the layer is built, e.g. `DemoSeed.apply()`. */
  readonly seed?: ((admin: ArchiveAdmin) => Effect.Effect<void>) | undefined
}

/**
 * A fresh, empty emulator and an HttpClient that reaches it:
 * `Effect.provide(InProcessHttp.layerInProcess())`.
 */
export const layerInProcess = (
  options: InProcessOptions = {}
): Layer.Layer<ArchiveEmulator.ArchiveEmulator | HttpClient.HttpClient | FrontDoor.FrontDoor, never, Hasher> => {
  const { allowedOrigins, faults, observe, reportFault, seed, ...emulatorOptions } = options
  const emulatorLayer = ArchiveEmulator.layer({
    ...emulatorOptions,
    apiUrl: emulatorOptions.apiUrl ?? defaultApiUrl,
    storageUrl: emulatorOptions.storageUrl ?? defaultStorageUrl,
    webUrl: emulatorOptions.webUrl ?? defaultWebUrl
  })
  const seededLayer = seed === undefined
    ? emulatorLayer
    : Layer.tap(emulatorLayer, (context) => seed(Context.get(context, ArchiveEmulator.ArchiveEmulator).admin))
  const frontDoorLayer = FrontDoor.layer({ faults, allowedOrigins, reportFault, observe })
  return layerFrontDoor.pipe(Layer.provideMerge(frontDoorLayer), Layer.provideMerge(seededLayer))
}
