/**
 * Authentication through the facade: `api.authenticate`, `api.dandiAuthenticate`, and the
 * `token` / `validateToken` / `authenticate` options of `DandiApi.layer`, over the in-process
 * emulator. The emulator (and its users) exist before the DandiApi layer is built, so that
 * build-time validation can be observed.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { DandiApiLayerOptions } from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, ConfigProvider, Effect, Exit, Layer, Option, Redacted, Stream } from "effect"

const goodKey = "0123456789abcdef0123456789abcdef01234567"
const badKey = "ffffffffffffffffffffffffffffffffbadbad00"

/** The emulator and a memory TokenStore: what the DandiApi layer is built on. */
const platform = Layer.mergeAll(
  InProcessHttp.layerInProcess().pipe(Layer.provideMerge(Hasher.layerPortable)),
  TokenStoreModule.layerMemory
)

const apiLayer = (options: DandiApiLayerOptions = {}) =>
  DandiApi.layer({
    instance: { name: "emu-test", gui: "http://dandi.test", api: InProcessHttp.defaultApiUrl },
    discover: false,
    retry: { attempts: 1 },
    ...options
  })

const seedUsers = Effect.gen(function*() {
  const { admin } = yield* ArchiveEmulator
  yield* admin.addUser({ username: "alice", token: goodKey, approved: true })
  const { identifier } = yield* admin.createDandiset({ name: "Secret study", owners: ["alice"], embargoed: true })
  return identifier
})

const withEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

const username = Effect.flatMap(DandiApi.DandiApi, (api) => Effect.map(api.me, (me) => me.username))

/** Who the facade is, or "anonymous" when `/users/me/` refuses. */
const whoAmI = username.pipe(
  Effect.catchIf((error) => error._tag === "AuthenticationError", () => Effect.succeed("anonymous"))
)

const assertNoKey = (values: ReadonlyArray<unknown>, key: string) => {
  for (const value of values) {
    expect(String(value)).not.toContain(key)
    expect(JSON.stringify(value)).not.toContain(key)
  }
}

/** The typed failure of an exit (fails the test if it succeeded or died). */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

describe("DandiApi.authenticate", () => {
  it.effect("a good key authenticates later requests: me works, the owner sees the embargoed dandiset", () =>
    Effect.gen(function*() {
      const embargoed = yield* seedUsers
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(yield* whoAmI).toBe("anonymous")
        // Anonymous callers are told to log in (401), as by the real server.
        expect((yield* Effect.flip(api.getDandiset(embargoed)))._tag).toBe("AuthenticationError")
        expect((yield* Effect.flip(Stream.runDrain(api.getDandisets({ embargoed: true }))))._tag).toBe("AuthenticationError")
        yield* api.authenticate(goodKey)
        expect(yield* whoAmI).toBe("alice")
        expect((yield* api.getDandiset(embargoed)).identifier).toBe(embargoed)
        const listed = yield* Stream.runCollect(api.getDandisets({ embargoed: true }))
        expect(Chunk.toReadonlyArray(listed).map((d) => d.identifier)).toContain(embargoed)
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(Effect.provide(platform)))

  it.effect("a bad key fails with AuthenticationError that never shows the key, and is not adopted", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        for (const key of [badKey, Redacted.make(badKey)]) {
          const exit = yield* Effect.exit(api.authenticate(key))
          const error = failureOf(exit)
          expect(error._tag).toBe("AuthenticationError")
          expect(error.message).toContain("generate a new one")
          assertNoKey([error, error.message, exit, Cause.pretty(Exit.isFailure(exit) ? exit.cause : Cause.empty)], badKey)
        }
        expect(yield* whoAmI).toBe("anonymous")
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(Effect.provide(platform)))

  it.effect("save: true writes the TokenStore only once the key was accepted", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        const store = yield* TokenStore
        yield* Effect.flip(api.authenticate(badKey, { save: true }))
        expect(Option.isNone(yield* store.get("emu-test"))).toBe(true)
        yield* api.authenticate(goodKey)
        expect(Option.isNone(yield* store.get("emu-test"))).toBe(true)
        yield* api.authenticate(goodKey, { save: true })
        expect(Option.map(yield* store.get("emu-test"), Redacted.value)).toEqual(Option.some(goodKey))
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(Effect.provide(platform)))
})

describe("DandiApi.dandiAuthenticate", () => {
  it.effect("names the instance's variable", () =>
    Effect.map(DandiApi.DandiApi, (api) => expect(api.apiKeyEnvVar).toBe("EMU_TEST_API_KEY")).pipe(
      Effect.provide(apiLayer()),
      Effect.provide(platform)
    ))

  it.effect("takes {NAME}_API_KEY from the ConfigProvider before the store", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* (yield* TokenStore).set("emu-test", Redacted.make(badKey))
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(yield* api.dandiAuthenticate()).toBe(true)
        expect(yield* whoAmI).toBe("alice")
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(withEnv([["EMU_TEST_API_KEY", goodKey]]), Effect.provide(platform)))

  it.effect("falls back to the TokenStore", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* (yield* TokenStore).set("emu-test", Redacted.make(goodKey))
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(yield* api.dandiAuthenticate()).toBe(true)
        expect(yield* whoAmI).toBe("alice")
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(withEnv([]), Effect.provide(platform)))

  it.effect("reads only the chosen instance's own variable: another archive's key is never picked up", () =>
    Effect.gen(function*() {
      yield* seedUsers
      // DANDI_API_KEY belongs to the public archive; emu-test reads EMU_TEST_API_KEY alone.
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(yield* api.dandiAuthenticate({ required: false })).toBe(false)
        expect(yield* whoAmI).toBe("anonymous")
      }).pipe(Effect.provide(apiLayer()), withEnv([["DANDI_API_KEY", goodKey], ["SHARED_KEY", goodKey]]))
    }).pipe(Effect.provide(platform)))

  it.effect("an instance chosen by URL reads DANDI_API_KEY, and its messages name that variable", () =>
    Effect.gen(function*() {
      yield* seedUsers
      const byUrl = DandiApi.layer({ instance: InProcessHttp.defaultApiUrl, discover: false, retry: { attempts: 1 } })
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(api.apiKeyEnvVar).toBe("DANDI_API_KEY")
        expect(yield* api.dandiAuthenticate()).toBe(true)
        expect(yield* whoAmI).toBe("alice")
      }).pipe(Effect.provide(byUrl), withEnv([["DANDI_API_KEY", goodKey]]))
      const missing = yield* Effect.flip(
        Effect.flatMap(DandiApi.DandiApi, (api) => api.dandiAuthenticate()).pipe(Effect.provide(byUrl), withEnv([]))
      )
      expect(missing.message).toContain("Set DANDI_API_KEY")
      const rejected = yield* Effect.flip(
        Effect.flatMap(DandiApi.DandiApi, (api) => api.dandiAuthenticate()).pipe(
          Effect.provide(byUrl),
          withEnv([["DANDI_API_KEY", badKey]])
        )
      )
      expect(rejected.message).toContain("the DANDI_API_KEY environment variable")
      assertNoKey([rejected, rejected.message], badKey)
    }).pipe(Effect.provide(platform)))

  it.effect("stays anonymous when neither exists (required: false), and says what to set otherwise", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect(yield* api.dandiAuthenticate({ required: false })).toBe(false)
        expect(yield* whoAmI).toBe("anonymous")
        const error = yield* Effect.flip(api.dandiAuthenticate())
        expect(error._tag).toBe("AuthenticationError")
        expect(error.message).toContain("Set EMU_TEST_API_KEY")
      }).pipe(Effect.provide(apiLayer()))
    }).pipe(withEnv([]), Effect.provide(platform)))
})

describe("DandiApi.layer({ token })", () => {
  it.effect("checks the token while building; a good one authenticates from the first request", () =>
    Effect.gen(function*() {
      yield* seedUsers
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ token: goodKey })))).toBe("alice")
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ token: Redacted.make(goodKey) })))).toBe("alice")
    }).pipe(Effect.provide(platform)))

  it.effect("a bad token fails the layer with AuthenticationError, the key nowhere in it", () =>
    Effect.gen(function*() {
      yield* seedUsers
      const exit = yield* Effect.exit(whoAmI.pipe(Effect.provide(apiLayer({ token: badKey }))))
      const error = failureOf(exit)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("emu-test rejected the key given")
      assertNoKey([error, error.message, exit, Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""], badKey)
    }).pipe(Effect.provide(platform)))

  it.effect("validateToken: false adopts the token without a request; a wrong one shows on first use", () =>
    Effect.gen(function*() {
      // No user exists yet: a checking layer would fail to build.
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        expect((yield* Effect.flip(api.me))._tag).toBe("AuthenticationError")
        yield* seedUsers
        expect(yield* whoAmI).toBe("alice")
      }).pipe(Effect.provide(apiLayer({ token: goodKey, validateToken: false })))
    }).pipe(Effect.provide(platform)))

  it.effect("an explicit token wins over authenticate: \"env-or-store\"", () =>
    Effect.gen(function*() {
      const { admin } = yield* ArchiveEmulator
      yield* seedUsers
      yield* admin.addUser({ username: "bob", token: "b".repeat(40), approved: true })
      const user = yield* whoAmI.pipe(Effect.provide(apiLayer({ token: "b".repeat(40), authenticate: "env-or-store" })))
      expect(user).toBe("bob")
    }).pipe(withEnv([["EMU_TEST_API_KEY", goodKey]]), Effect.provide(platform)))
})

describe("DandiApi.layer({ authenticate })", () => {
  it.effect("\"env\" takes {NAME}_API_KEY while building", () =>
    Effect.gen(function*() {
      yield* seedUsers
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ authenticate: "env" })))).toBe("alice")
    }).pipe(withEnv([["EMU_TEST_API_KEY", goodKey]]), Effect.provide(platform)))

  it.effect("\"env\" ignores the store; \"env-or-store\" uses it", () =>
    Effect.gen(function*() {
      yield* seedUsers
      yield* (yield* TokenStore).set("emu-test", Redacted.make(goodKey))
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ authenticate: "env" })))).toBe("anonymous")
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ authenticate: "env-or-store" })))).toBe("alice")
    }).pipe(withEnv([]), Effect.provide(platform)))

  it.effect("no key anywhere: the layer builds anonymous", () =>
    Effect.gen(function*() {
      yield* seedUsers
      expect(yield* whoAmI.pipe(Effect.provide(apiLayer({ authenticate: "env-or-store" })))).toBe("anonymous")
    }).pipe(withEnv([]), Effect.provide(platform)))

  it.effect("a rejected environment key fails the layer, naming the variable but not the key", () =>
    Effect.gen(function*() {
      yield* seedUsers
      const exit = yield* Effect.exit(whoAmI.pipe(Effect.provide(apiLayer({ authenticate: "env-or-store" }))))
      const error = failureOf(exit)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("EMU_TEST_API_KEY")
      assertNoKey([error, error.message, exit], badKey)
    }).pipe(withEnv([["EMU_TEST_API_KEY", badKey]]), Effect.provide(platform)))
})

describe("DandiApi.layerConfig", () => {
  it.effect("reads DANDI_INSTANCE and the instance's API key (DANDI_API_KEY for a URL) from the ConfigProvider", () =>
    Effect.gen(function*() {
      yield* seedUsers
      const result = yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        return { location: api.location, user: yield* whoAmI }
      }).pipe(Effect.provide(DandiApi.layerConfig({ retry: { attempts: 1 } })))
      expect(result.location).toEqual({ instanceName: "api.dandi.test", apiUrl: InProcessHttp.defaultApiUrl })
      expect(result.user).toBe("alice")
    }).pipe(
      withEnv([["DANDI_INSTANCE", InProcessHttp.defaultApiUrl], ["DANDI_API_KEY", goodKey]]),
      Effect.provide(platform)
    ))
})
