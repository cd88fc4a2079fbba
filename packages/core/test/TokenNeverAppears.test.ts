/**
 * The API key appears in no error, log line or span attribute, on the paths that succeed and on
 * those that fail (rejected key, missing resources, server errors after retries, damaged bodies).
 * Everything the SDK emits is captured and searched for the key. (The CLI's stdout and stderr are
 * searched in packages/node/test/CliSafety.test.ts.)
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Logger, Stream, TestClock, Tracer } from "effect"

const key = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
const wrongKey = "dead0000dead0000dead0000dead0000dead0000"

describe("the API key never appears", () => {
  it.effect("in errors, logs or spans, on success and failure paths", () => {
    const emitted: Array<string> = []
    const spans: Array<Tracer.Span> = []
    const logger = Logger.make(({ annotations, message }) => {
      emitted.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
      emitted.push(JSON.stringify([...annotations]))
    })
    const emulator = InProcessHttp.layerInProcess({
      faults: {
        rules: [
          { target: "api", pathPrefix: "/api/dandisets/000001/versions/draft/assets/", times: 1, action: "status", status: 503 },
          { target: "api", pathPrefix: "/api/dandisets/000002/", action: "status", status: 500 },
          { target: "api", pathPrefix: "/api/dandisets/000003/", action: "corrupt" }
        ]
      },
      reportFault: () => Effect.void
    }).pipe(Layer.provideMerge(Hasher.layerPortable))
    const sdk = DandiApi.layer({
      instance: { name: "emu", gui: null, api: InProcessHttp.defaultApiUrl },
      discover: false,
      retry: { attempts: 3, base: Duration.millis(10), jitter: 0 }
    })
    const record = (exit: Exit.Exit<unknown, unknown>) => {
      if (Exit.isFailure(exit)) {
        emitted.push(Cause.pretty(exit.cause))
        for (const error of Cause.failures(exit.cause)) emitted.push(String(error), JSON.stringify(error))
      }
    }
    const settle = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.exit(effect))
        yield* TestClock.adjust("1 minutes")
        record(yield* Fiber.join(fiber))
      })
    return Effect.gen(function*() {
      const { admin } = yield* ArchiveEmulator
      yield* admin.addUser({ username: "owner", token: key })
      yield* admin.createDandiset({ identifier: "000001", name: "Secret", owners: ["owner"], embargoed: true })
      yield* admin.addBlobAsset("000001", "a.nwb", { _tag: "Bytes", bytes: new Uint8Array(3) })
      yield* admin.createDandiset({ identifier: "000003", name: "Damaged on the way", owners: ["owner"] })
      yield* Effect.gen(function*() {
        const native = yield* Effect.tracer
        const tracer = Tracer.make({
          span: (...args) => {
            const span = native.span(...args)
            spans.push(span)
            return span
          },
          context: native.context
        })
        const run = Effect.gen(function*() {
          const api = yield* DandiApi.DandiApi
          yield* settle(api.authenticate(wrongKey))
          yield* settle(api.authenticate(key))
          yield* settle(Effect.flatMap(api.getDandiset("000001"), (d) => Stream.runCollect(d.getAssets())))
          yield* settle(api.me)
          yield* settle(api.getDandiset("000002"))
          yield* settle(api.getDandiset("000003"))
          yield* settle(api.getDandiset("999999"))
        })
        yield* run.pipe(Effect.withTracer(tracer), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      }).pipe(Effect.provide(sdk))
      for (const span of spans) {
        emitted.push(span.name, JSON.stringify([...span.attributes.entries()].map(([k, v]) => [k, String(v)])))
      }
      // The capture saw the paths it claims to: retries were logged, failures were recorded.
      expect(emitted.some((line) => line.includes("Will retry GET"))).toBe(true)
      expect(emitted.some((line) => line.includes("AuthenticationError"))).toBe(true)
      expect(emitted.some((line) => line.includes("ServerError"))).toBe(true)
      expect(emitted.some((line) => line.includes("ResponseDecodeError"))).toBe(true)
      expect(spans.length).toBeGreaterThan(5)
      for (const line of emitted) {
        expect(line).not.toContain(key)
        expect(line).not.toContain(wrongKey)
      }
    }).pipe(Effect.provide(Layer.merge(emulator, TokenStore.layerMemory)))
  })
})
