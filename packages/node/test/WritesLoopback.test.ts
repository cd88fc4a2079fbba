/**
 * Every write of the facade and the records (the Writes suite) over real sockets to the loopback
 * emulator, through Node's undici client: publish and its 409/423/400 preconditions, unembargo,
 * owners, stars, dandiset delete, and asset metadata edits, renames and deletes, each with the
 * status-derived typed error the archive's answer maps to and the state the server keeps.
 *
 * Each test binds its own server inside its effect, so the emulator's background jobs and the
 * SDK's polling share the test's clock. The clock moves on only while no request is on the wire:
 * a request then never times out, nor sees a state it could not see in real time, because
 * virtual time raced ahead of real I/O.
 */
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { writesSuite } from "../../core/test/Writes.suite.js"
import { sdkOverLoopback } from "./support/SdkOverLoopback.js"

/** Requests sent and not yet answered, across the SDK's client. */
let inFlight = 0

const countingRequests = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) =>
    HttpClient.transform(client, (response) =>
      Effect.acquireUseRelease(
        Effect.sync(() => void inFlight++),
        () => response,
        () => Effect.sync(() => void inFlight--)
      )))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** One turn of Node's event loop, so that socket I/O (and the emulator behind it) can progress. */
const eventLoopTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Moves the TestClock on in 100 ms steps while nothing is on the wire, until `effect` ends. */
const whileTimePasses = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    while (Option.isNone(yield* Fiber.poll(fiber))) {
      if (inFlight === 0) yield* TestClock.adjust("100 millis")
      yield* eventLoopTurn
    }
    return yield* Fiber.join(fiber)
  })

writesSuite({ name: "loopback", sdk: () => sdkOverLoopback(countingRequests), whileTimePasses })
