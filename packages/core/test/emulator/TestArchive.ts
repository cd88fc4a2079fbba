/**
 * The harness of the emulator's conformance suites, parametric in the transport a request takes
 * to reach the archive:
 *
 * - `direct`: the emulator's `handleApi`/`handleStorage` called with an `EmulatorRequest`;
 * - `inProcess`: an `HttpClientRequest` through the in-process `HttpClient` (InProcessHttp → front
 *   door → archive → `HttpClientResponse`);
 * - loopback (defined by the node package's `Conformance.test.ts` with {@link overHttpClient}):
 *   real sockets to the loopback server, through Node's undici client.
 *
 * Whichever way a call goes, `api(method, path, call)` and `storage(method, url, call)` answer the
 * same {@link Reply}: redirects are never followed and the whole body is read. Every transport
 * builds its archive inside the test's effect, so background work follows the test's clock.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Chunk, Clock, Effect, Stream, TestClock } from "effect"
import type * as Scope from "effect/Scope"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as ArchiveEmulator from "@dandi-effect/core/testing/ArchiveEmulator"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import type { EmulatorRequest, EmulatorResponse } from "@dandi-effect/core/testing/EmulatorHttp"
import * as FrontDoor from "@dandi-effect/core/testing/FrontDoor"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"

/** The origins of the direct and in-process archives (the loopback server binds its own). */
export const API = "http://archive.test:8123/api"
export const STORAGE = "http://store.test:8124"
export const WEB = "https://web.test"

export interface Call {
  readonly token?: string
  readonly body?: unknown
  readonly rawBody?: Uint8Array
  readonly headers?: Record<string, string>
}

export interface Reply {
  readonly status: number
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly bytes: Uint8Array
  readonly json: any
}

/** One call to an absolute URL of the archive. */
export type Send = (method: string, url: string, call?: Call) => Effect.Effect<Reply>

/** A fresh archive reachable over some transport. */
export interface Connection {
  readonly emulator: ArchiveEmulator.ArchiveEmulatorShape
  readonly api: Send
  readonly storage: Send
}

export interface Transport {
  readonly name: string
  /** Starts a fresh archive (web app at `webUrl`) inside the caller's scope. */
  readonly connect: (webUrl: string) => Effect.Effect<Connection, never, Scope.Scope>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The call's headers and body, as every transport sends them. */
const requestParts = (call: Call): { readonly headers: Record<string, string>; readonly body: Uint8Array } => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value
  if (call.token !== undefined) headers["authorization"] = `token ${call.token}`
  let body: Uint8Array = call.rawBody ?? new Uint8Array()
  if (call.body !== undefined) {
    body = encoder.encode(JSON.stringify(call.body))
    headers["content-type"] ??= "application/json"
  }
  return { headers, body }
}

const reply = (status: number, headers: Readonly<Record<string, string>>, bytes: Uint8Array): Reply => {
  const text = decoder.decode(bytes)
  let json: unknown = undefined
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status, headers, text, bytes, json }
}

export const toRequest = (method: string, url: string, call: Call = {}): EmulatorRequest => ({
  method,
  url,
  ...requestParts(call)
})

export const read = (response: EmulatorResponse): Effect.Effect<Reply> =>
  Effect.gen(function*() {
    let bytes: Uint8Array = new Uint8Array()
    if (response.body._tag === "Bytes") bytes = response.body.bytes
    if (response.body._tag === "Stream") {
      const chunks = yield* Stream.runCollect(response.body.stream)
      const all = Chunk.toReadonlyArray(chunks)
      bytes = new Uint8Array(all.reduce((n, c) => n + c.length, 0))
      let at = 0
      for (const c of all) {
        bytes.set(c, at)
        at += c.length
      }
    }
    return reply(response.status, response.headers, bytes)
  })

/**
 * Calls through an `HttpClient`: the request is built with `HttpClientRequest` carrying exactly
 * the call's headers (no tracing headers, no implied content type), redirects are not followed
 * (neither client used here follows them) and the whole body is read.
 */
export const overHttpClient = (client: HttpClient.HttpClient): Send => {
  const plain = client.pipe(HttpClient.withTracerPropagation(false))
  return (method, url, call = {}) => {
    const { body, headers } = requestParts(call)
    const { "content-type": contentType, ...rest } = headers
    let request = HttpClientRequest.make(method as HttpClientRequest.HttpClientRequest["method"])(url).pipe(
      HttpClientRequest.setHeaders(rest)
    )
    if (body.length > 0) request = HttpClientRequest.setBody(request, HttpBody.raw(body, { contentType }))
    else if (contentType !== undefined) request = HttpClientRequest.setHeader(request, "content-type", contentType)
    return plain.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.arrayBuffer, (buffer) => reply(response.status, { ...response.headers }, new Uint8Array(buffer)))
      ),
      Effect.scoped,
      Effect.orDie
    )
  }
}

const startArchive = (webUrl: string) =>
  ArchiveEmulator.make({ apiUrl: API, storageUrl: STORAGE, webUrl }).pipe(Effect.provideService(Hasher.Hasher, Hasher.portable))

/** The handlers called directly, without any transport. */
export const direct: Transport = {
  name: "direct",
  connect: (webUrl) =>
    Effect.map(startArchive(webUrl), (emulator) => ({
      emulator,
      api: (method, url, call) => Effect.flatMap(emulator.handleApi(toRequest(method, url, call)), read),
      storage: (method, url, call) => Effect.flatMap(emulator.handleStorage(toRequest(method, url, call)), read)
    }))
}

/** The in-process `HttpClient`: no sockets, but the front door and HTTP request/response objects. */
export const inProcess: Transport = {
  name: "in-process",
  connect: (webUrl) =>
    Effect.gen(function*() {
      const emulator = yield* startArchive(webUrl)
      const send = overHttpClient(InProcessHttp.make(yield* FrontDoor.make(emulator)))
      return { emulator, api: send, storage: send }
    })
}

export interface Archive {
  readonly transport: string
  readonly emulator: ArchiveEmulator.ArchiveEmulatorShape
  readonly admin: ArchiveAdmin
  /** e.g. `http://archive.test:8123/api`; absolute URLs the archive mints start with it. */
  readonly apiUrl: string
  readonly storageUrl: string
  readonly webUrl: string
  /** An API call; `path` is relative to {@link apiUrl} unless it is an absolute URL. */
  readonly api: Send
  /** An object-store call to an absolute URL. */
  readonly storage: Send
}

/** What every suite is given: fresh archives over one transport. */
export interface Harness {
  readonly name: string
  readonly makeArchive: Effect.Effect<Archive, never, Scope.Scope>
  /** Users every suite needs: owner, another approved user, an unapproved user and an admin. */
  readonly withUsers: Effect.Effect<Archive, never, Scope.Scope>
}

export interface HarnessOptions {
  /**
   * An instant (ISO 8601) the test clock is set to before each archive starts. The test clock
   * starts at 1970-01-01T00:00Z, midnight, which hides any confusion of dates with instants; one
   * run of the suites sets a time of day far from midnight.
   */
  readonly clockAt?: string
}

export const harness = (transport: Transport, options: HarnessOptions = {}): Harness => {
  const setClock = options.clockAt === undefined ? Effect.void : TestClock.setTime(Date.parse(options.clockAt))
  const connect = Effect.zipRight(setClock, transport.connect(WEB))
  const makeArchive = Effect.map(connect, (connection): Archive => {
    const apiUrl = connection.emulator.options.apiUrl
    return {
      transport: transport.name,
      emulator: connection.emulator,
      admin: connection.emulator.admin,
      apiUrl,
      storageUrl: connection.emulator.options.storageUrl,
      webUrl: WEB,
      api: (method, path, call) => connection.api(method, path.startsWith("http") ? path : `${apiUrl}${path}`, call),
      storage: connection.storage
    }
  })
  const withUsers = Effect.gen(function*() {
    const archive = yield* makeArchive
    yield* archive.admin.addUser({ username: "owner", token: "owner-token", name: "Jane Doe", email: "jane@example.org" })
    yield* archive.admin.addUser({ username: "other", token: "other-token", name: "Sam Other" })
    yield* archive.admin.addUser({ username: "pending", token: "pending-token", approved: false })
    yield* archive.admin.addUser({ username: "root", token: "admin-token", admin: true })
    return archive
  })
  const name = options.clockAt === undefined ? transport.name : `${transport.name}, clock at ${options.clockAt}`
  return { name, makeArchive, withUsers }
}

/** The transports the core package runs its suites over. */
export const coreTransports: ReadonlyArray<Transport> = [direct, inProcess]

export const hello = encoder.encode("hello world\n")
export const utf8 = (s: string) => encoder.encode(s)

/** One UTC day in milliseconds. */
export const DAY = 86_400_000

/** Times of day to check date rules at, as milliseconds after midnight UTC. */
export const TIMES_OF_DAY = [
  ["just after midnight", 1_000],
  ["at noon", 12 * 3_600_000],
  ["just before midnight", DAY - 1_000]
] as const

/**
 * Moves the test clock forward to the given time of day on the next UTC day, and answers a
 * function giving the `YYYY-MM-DD` of that day plus some days.
 */
export const clockToTimeOfDay = (sinceMidnight: number) =>
  Effect.gen(function*() {
    const day = Math.floor((yield* Clock.currentTimeMillis) / DAY) + 1
    yield* TestClock.setTime(day * DAY + sinceMidnight)
    return (days: number) => new Date((day + days) * DAY).toISOString().slice(0, 10)
  })
