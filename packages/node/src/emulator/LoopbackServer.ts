/**
 * The archive emulator on real sockets: the API and the object store on two ports of 127.0.0.1,
 * both behind the same front door as the in-process transport. Ports are bound before the
 * emulator is built, because the emulator mints absolute URLs (pagination links, presigned
 * object-store URLs) from them.
 *
 * Response bodies are streamed with backpressure. Injected faults act on the socket: a reset
 * destroys it (RST) after the configured bytes, a truncation closes it early while the declared
 * `Content-Length` stays.
 *
 * @since 0.1.0
 */
import type { Hasher } from "@dandi-effect/core/Hasher"
import * as ArchiveEmulator from "@dandi-effect/core/testing/ArchiveEmulator"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import type { EmulatorOrigin, EmulatorRequest } from "@dandi-effect/core/testing/EmulatorHttp"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as FrontDoor from "@dandi-effect/core/testing/FrontDoor"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A port could not be bound (taken, or not allowed).
 *
 * @since 0.1.0
 * @category errors
 */
export class LoopbackBindError extends Schema.TaggedError<LoopbackBindError>("@dandi-effect/node/LoopbackBindError")(
  "LoopbackBindError",
  { message: Schema.String }
) {}

/**
 * How `make` and `layer` set up the emulator: ports, faults, CORS origins, seed, names.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopbackOptions {
  /** API port; 0 or absent picks a free one. */
  readonly port?: number | undefined
  /** Object-store port; 0 or absent picks a free one. */
  readonly storagePort?: number | undefined
  readonly faults?: Faults.FaultPlan | undefined
  /** Origins allowed to write cross-origin (browser tests); `"*"` for any. */
  readonly allowedOrigins?: ReadonlyArray<string | RegExp> | undefined
  /** Origins the object store answers cross-origin; any (`"*"`) by default, as DANDI's buckets. */
  readonly storageAllowedOrigins?: ReadonlyArray<string | RegExp> | undefined
  readonly reportFault?: Faults.FaultReporter | undefined
  /**
   * `false` closes every connection after its response (`Connection: close`), so each request
   * gets a connection of its own. Browsers silently resend a request whose reused connection is
   * reset; with none reused, every injected reset reaches the client. Default `true`.
   */
  readonly keepAlive?: boolean | undefined
  /** Sees (and may hold) every request before it is handled; see FrontDoorOptions.observe. */
  readonly observe?: FrontDoor.FrontDoorOptions["observe"]
  /** Runs against the fresh archive before the first request is served. */
  readonly seed?: ((admin: ArchiveAdmin) => Effect.Effect<void>) | undefined
  /** A web app served for this archive, advertised by `/info/`; absent: none is advertised. */
  readonly webUrl?: string | undefined
  readonly instanceName?: string | undefined
}

/**
 * The running emulator: its URLs and the emulator state behind them.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopbackEmulatorShape {
  /** e.g. `http://127.0.0.1:8123/api` */
  readonly apiUrl: string
  /** e.g. `http://127.0.0.1:8124` */
  readonly storageUrl: string
  readonly emulator: ArchiveEmulator.ArchiveEmulatorShape
}

/**
 * The archive emulator served on 127.0.0.1.
 *
 * @since 0.1.0
 * @category tags
 */
export class LoopbackEmulator extends Context.Tag("@dandi-effect/node/LoopbackEmulator")<
  LoopbackEmulator,
  LoopbackEmulatorShape
>() {}

const host = "127.0.0.1"

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const listen = (port: number, handler: { current: Handler }) =>
  Effect.acquireRelease(
    Effect.async<Server, LoopbackBindError>((resume) => {
      const server = createServer((request, response) => handler.current(request, response))
      const onError = (error: NodeJS.ErrnoException) =>
        resume(
          Effect.fail(
            new LoopbackBindError({
              message: `cannot listen on ${host}:${port} (${error.code ?? error.message}): choose another port, or 0 for a free one`
            })
          )
        )
      server.once("error", onError)
      server.listen(port, host, () => {
        server.off("error", onError)
        resume(Effect.succeed(server))
      })
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

const boundPort = (server: Server): number => (server.address() as AddressInfo).port

const readBody = (request: IncomingMessage) =>
  Effect.async<Uint8Array, Error>((resume) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.once("end", () => {
      // One exact-size copy: Buffer.concat may hand back a slice of Node's shared pool.
      const body = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
      let at = 0
      for (const chunk of chunks) {
        body.set(chunk, at)
        at += chunk.length
      }
      resume(Effect.succeed(body))
    })
    request.once("error", (error) => resume(Effect.fail(error)))
  })

const toEmulatorRequest = (incoming: IncomingMessage, fallbackHost: string, body: Uint8Array): EmulatorRequest => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return {
    method: incoming.method ?? "GET",
    // As Django builds absolute URIs: from the Host the client sent.
    url: `http://${incoming.headers.host ?? fallbackHost}${incoming.url ?? "/"}`,
    headers,
    body
  }
}

/** Writes one chunk, waiting for `drain` when the socket's buffer is full. */
const writeChunk = (response: ServerResponse, chunk: Uint8Array, flushed: { current: Promise<void> }) =>
  Effect.async<void>((resume) => {
    let ok = true
    flushed.current = new Promise<void>((done) => {
      ok = response.write(chunk, () => done())
    })
    if (ok) return resume(Effect.void)
    const onDrain = () => resume(Effect.void)
    response.once("drain", onDrain)
    return Effect.sync(() => response.off("drain", onDrain))
  })

/** A real-timer turn (not the Effect clock: the server must not stall under a TestClock). */
const nextTimerTurn = Effect.async<void>((resume) => {
  const timer = setTimeout(() => resume(Effect.void), 1)
  return Effect.sync(() => clearTimeout(timer))
})

const serveReply = (method: string, response: ServerResponse, reply: FrontDoor.Reply) =>
  Effect.gen(function*() {
    response.writeHead(reply.status, reply.headers)
    const body = reply.body
    // HEAD keeps the GET's headers (Content-Length included) but must not generate the body.
    if (body._tag === "Empty" || method === "HEAD") {
      response.end()
      return
    }
    if (body._tag === "Bytes") {
      response.end(body.bytes)
      return
    }
    const declared = Number(reply.headers["content-length"] ?? Number.NaN)
    const flushed = { current: Promise.resolve() }
    let written = 0
    const exit = yield* body.stream.pipe(
      Stream.runForEach((chunk) => {
        written += chunk.length
        return writeChunk(response, chunk, flushed)
      }),
      Effect.exit
    )
    yield* Effect.promise(() => flushed.current)
    if (Exit.isFailure(exit)) {
      // An injected reset: the client sees the connection torn down mid-body. Node sends a FIN
      // instead of the RST when the reset follows the write callback in the same turn.
      yield* nextTimerTurn
      response.socket?.resetAndDestroy()
    } else if (written < declared) {
      // An injected truncation: close cleanly, leaving the declared length unmet.
      response.socket?.end()
    } else {
      response.end()
    }
  })

const handleNodeRequest = (
  frontDoor: FrontDoor.FrontDoorShape,
  origin: EmulatorOrigin,
  fallbackHost: string,
  incoming: IncomingMessage,
  response: ServerResponse
) =>
  Effect.gen(function*() {
    const body = yield* readBody(incoming)
    const reply = yield* frontDoor.handle(origin, toEmulatorRequest(incoming, fallbackHost, body))
    yield* serveReply(incoming.method ?? "GET", response, reply)
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        if (!Cause.isInterruptedOnly(cause)) incoming.socket.resetAndDestroy()
      })
    )
  )

/**
 * Binds both ports, builds an emulator on their URLs with `build`, and serves it until the scope
 * closes. {@link make} builds the real archive; tests of the wire itself may pass a stand-in.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = <R>(
  options: LoopbackOptions,
  build: (
    options: ArchiveEmulator.ArchiveEmulatorOptions
  ) => Effect.Effect<ArchiveEmulator.ArchiveEmulatorShape, never, R>
): Effect.Effect<LoopbackEmulatorShape, LoopbackBindError, R | Scope.Scope> =>
  Effect.gen(function*() {
    const unavailable: Handler = (_request, response) => {
      response.writeHead(503, { "content-type": "text/plain" }).end("emulator starting")
    }
    const apiHandler = { current: unavailable }
    const storageHandler = { current: unavailable }
    const apiServer = yield* listen(options.port ?? 0, apiHandler)
    const storageServer = yield* listen(options.storagePort ?? 0, storageHandler)
    const apiHost = `${host}:${boundPort(apiServer)}`
    const storageHost = `${host}:${boundPort(storageServer)}`
    const apiUrl = `http://${apiHost}/api`
    const storageUrl = `http://${storageHost}`

    const emulator = yield* build({
      apiUrl,
      storageUrl,
      ...(options.webUrl === undefined ? {} : { webUrl: options.webUrl }),
      ...(options.instanceName === undefined ? {} : { instanceName: options.instanceName })
    })
    const frontDoor = yield* FrontDoor.make(emulator, {
      faults: options.faults,
      allowedOrigins: options.allowedOrigins,
      storageAllowedOrigins: options.storageAllowedOrigins,
      reportFault: options.reportFault,
      observe: options.observe
    })
    if (options.seed !== undefined) yield* options.seed(emulator.admin)

    // Request fibers belong to the scope: closing it interrupts whatever is still in flight.
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const handlerFor = (origin: EmulatorOrigin, fallbackHost: string): Handler => (incoming, response) => {
      if (options.keepAlive === false) response.setHeader("connection", "close")
      const fiber = run(handleNodeRequest(frontDoor, origin, fallbackHost, incoming, response))
      response.once("close", () => {
        if (!response.writableFinished) fiber.unsafeInterruptAsFork(fiber.id())
      })
    }
    apiHandler.current = handlerFor("api", apiHost)
    storageHandler.current = handlerFor("s3", storageHost)
    return { apiUrl, storageUrl, emulator }
  })

/**
 * Binds both ports, builds the archive emulator on them, and serves until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: LoopbackOptions = {}
): Effect.Effect<LoopbackEmulatorShape, LoopbackBindError, Hasher | Scope.Scope> => serve(options, ArchiveEmulator.make)

/**
 * Provides the running loopback emulator's URLs and the emulator itself.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: LoopbackOptions = {}
): Layer.Layer<LoopbackEmulator | ArchiveEmulator.ArchiveEmulator, LoopbackBindError, Hasher> =>
  Layer.scopedContext(
    Effect.map(make(options), (loopback) =>
      Context.make(LoopbackEmulator, loopback).pipe(Context.add(ArchiveEmulator.ArchiveEmulator, loopback.emulator)))
  )

