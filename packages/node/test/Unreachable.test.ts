/**
 * An archive that never answered fails at once, naming its host; one that answered before gets
 * the retry policy. Over real sockets (undici), where "connection refused" and "no such host" are
 * what they are.
 */
import * as ApiClientModule from "@dandi-effect/core/ApiClient"
import { ApiClient } from "@dandi-effect/core/ApiClient"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeHttp from "@dandi-effect/node/NodeHttp"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Logger, Schema, Scope } from "effect"

const client = (api: string) =>
  ApiClientModule.layer.pipe(
    Layer.provide(Layer.mergeAll(
      DandiConfig.layerStatic({
        instance: { name: "target", gui: null, api },
        retry: { attempts: 3, base: Duration.millis(20), jitter: 0 }
      }),
      Credentials.layer(),
      NodeHttp.layer
    ))
  )

const Info = Schema.Struct({ version: Schema.String })

const withWarnings = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ message }) => {
    warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return Effect.map(effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))), (value) => ({ value, warnings }))
}

describe("an archive that never answered", () => {
  it.live("connection refused: one TransportError naming the host, no retries", () =>
    Effect.gen(function*() {
      const { value: error, warnings } = yield* withWarnings(
        Effect.flip(Effect.flatMap(ApiClient, (api) => api.json(Info, "GET", "/info/"))).pipe(
          Effect.provide(client("http://127.0.0.1:1/api"))
        )
      )
      expect(error._tag).toBe("TransportError")
      expect(error.message).toBe(
        "Cannot reach the archive at http://127.0.0.1:1 (connection refused). Check the instance URL and your network connection."
      )
      expect(warnings).toEqual([])
    }))

  it.live("an unknown host: one TransportError naming it, no retries", () =>
    Effect.gen(function*() {
      const { value: error, warnings } = yield* withWarnings(
        Effect.flip(Effect.flatMap(ApiClient, (api) => api.json(Info, "GET", "/info/"))).pipe(
          Effect.provide(client("http://no-such-archive.invalid/api"))
        )
      )
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("Cannot reach the archive at http://no-such-archive.invalid (")
      expect(warnings).toEqual([])
    }))
})

describe("an archive that answered before", () => {
  it.live("a refused connection later is retried with the policy's backoff, then reported", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const loopback = yield* LoopbackServer.make().pipe(Scope.extend(scope), Effect.provide(Hasher.layerPortable))
      yield* Effect.gen(function*() {
        const api = yield* ApiClient
        expect((yield* api.json(Info, "GET", "/info/")).version).toBeTypeOf("string")
        yield* Scope.close(scope, Exit.void)
        const { value: error, warnings } = yield* withWarnings(Effect.flip(api.json(Info, "GET", "/info/")))
        expect(error._tag).toBe("TransportError")
        expect(error.message).toContain("after 3 attempts")
        expect(warnings.filter((line) => line.startsWith("Will retry GET"))).toHaveLength(2)
      }).pipe(Effect.provide(client(loopback.apiUrl)))
    }))
})
