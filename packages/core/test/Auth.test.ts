import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Option, Redacted, Schema } from "effect"
import { ApiClient } from "@dandi-effect/core/ApiClient"
import * as ApiClientModule from "@dandi-effect/core/ApiClient"
import { Auth } from "@dandi-effect/core/Auth"
import * as AuthModule from "@dandi-effect/core/Auth"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as HttpStack from "@dandi-effect/core/HttpStack"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"

const goodKey = "0123456789abcdef0123456789abcdef01234567"
const badKey = "ffffffffffffffffffffffffffffffffffffffff"

const Me = Schema.Struct({ username: Schema.String })

const archive = () => {
  const emulator = InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable))
  const config = DandiConfig.layerStatic({
    instance: { name: "emu-test", gui: "http://dandi.test", api: InProcessHttp.defaultApiUrl },
    retry: { attempts: 1 }
  })
  const base = Layer.mergeAll(config, Credentials.layer(), TokenStoreModule.layerMemory)
  const api = ApiClientModule.layer.pipe(Layer.provideMerge(base), Layer.provideMerge(emulator))
  return AuthModule.layer.pipe(Layer.provideMerge(api))
}

const seedUser = Effect.flatMap(ArchiveEmulator, (emulator) =>
  emulator.admin.addUser({ username: "alice", token: goodKey, approved: true }))

const whoAmI = Effect.flatMap(ApiClient, (api) => api.json(Me, "GET", "/users/me/"))

const withEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

const assertNoToken = (values: ReadonlyArray<unknown>, token: string) => {
  for (const value of values) {
    expect(String(value)).not.toContain(token)
    expect(JSON.stringify(value)).not.toContain(token)
  }
}

describe("Auth.authenticate (over the in-process emulator)", () => {
  it.effect("validates a good key and uses it for later requests", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      expect((yield* Effect.flip(whoAmI))._tag).toBe("AuthenticationError")
      yield* auth.authenticate(goodKey)
      expect(yield* whoAmI).toEqual({ username: "alice" })
    }).pipe(Effect.provide(archive())))

  it.effect("rejects a bad key with an AuthenticationError that never shows the key", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      const exit = yield* Effect.exit(auth.authenticate(Redacted.make(badKey)))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error("expected a typed failure")
      const error = exit.cause.error
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("generate a new one")
      assertNoToken([error, error.message, exit, exit.cause], badKey)
      // The rejected key was not adopted.
      expect(Option.isNone(yield* auth.current)).toBe(true)
    }).pipe(Effect.provide(archive())))

  it.effect("saves the key in the TokenStore only when asked and only once it is accepted", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      const store = yield* TokenStore
      yield* Effect.flip(auth.authenticate(badKey, { save: true }))
      expect(Option.isNone(yield* store.get("emu-test"))).toBe(true)
      yield* auth.authenticate(goodKey)
      expect(Option.isNone(yield* store.get("emu-test"))).toBe(true)
      yield* auth.authenticate(goodKey, { save: true })
      expect(Option.map(yield* store.get("emu-test"), Redacted.value)).toEqual(Option.some(goodKey))
    }).pipe(Effect.provide(archive())))

  it.effect("logout forgets the key for requests and, when asked, in the store", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      const store = yield* TokenStore
      yield* auth.authenticate(goodKey, { save: true })
      yield* auth.logout({ forget: true })
      expect(Option.isNone(yield* auth.current)).toBe(true)
      expect(Option.isNone(yield* store.get("emu-test"))).toBe(true)
    }).pipe(Effect.provide(archive())))
})

describe("Auth.authenticate with an unapproved account", () => {
  it.effect("says the account awaits approval rather than blaming the key", () =>
    Effect.gen(function*() {
      const emulator = yield* ArchiveEmulator
      yield* emulator.admin.addUser({ username: "bob", token: goodKey, approved: false })
      const auth = yield* Auth
      const error = yield* Effect.flip(auth.authenticate(goodKey))
      expect(error._tag).toBe("PermissionError")
      expect(error.message).toContain("not approved")
      expect(error.message).not.toContain(goodKey)
    }).pipe(Effect.provide(archive())))
})

describe("Auth.dandiAuthenticate", () => {
  it.effect("names the instance's environment variable", () =>
    Effect.map(Auth, (auth) => expect(auth.apiKeyEnvVar).toBe("EMU_TEST_API_KEY")).pipe(Effect.provide(archive())))

  it.effect("takes {NAME}_API_KEY first", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      const store = yield* TokenStore
      yield* store.set("emu-test", Redacted.make(badKey))
      expect(yield* auth.dandiAuthenticate()).toBe(true)
      expect(yield* whoAmI).toEqual({ username: "alice" })
    }).pipe(withEnv([["EMU_TEST_API_KEY", goodKey]]), Effect.provide(archive())))

  it.effect("a rejected environment key says which variable to fix", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      const error = yield* Effect.flip(auth.dandiAuthenticate())
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("EMU_TEST_API_KEY")
      expect(error.message).not.toContain(badKey)
    }).pipe(withEnv([["EMU_TEST_API_KEY", badKey]]), Effect.provide(archive())))

  it.effect("falls back to the TokenStore", () =>
    Effect.gen(function*() {
      yield* seedUser
      const auth = yield* Auth
      yield* (yield* TokenStore).set("emu-test", Redacted.make(goodKey))
      expect(yield* auth.dandiAuthenticate()).toBe(true)
      expect(yield* whoAmI).toEqual({ username: "alice" })
    }).pipe(withEnv([]), Effect.provide(archive())))

  it.effect("without any key: a clear error, or anonymous when not required", () =>
    Effect.gen(function*() {
      const auth = yield* Auth
      const error = yield* Effect.flip(auth.dandiAuthenticate())
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("Set EMU_TEST_API_KEY")
      expect(yield* auth.dandiAuthenticate({ required: false })).toBe(false)
      expect(Option.isNone(yield* auth.current)).toBe(true)
    }).pipe(withEnv([]), Effect.provide(archive())))
})

describe("ApiClient over the in-process emulator", () => {
  it.effect("the slash-less /auth/token reaches /auth/token/ through the same-origin 301 with the token", () =>
    Effect.gen(function*() {
      yield* seedUser
      const api = yield* ApiClient
      const token = yield* api.json(Schema.String, "GET", "/auth/token", { token: Redacted.make(goodKey) })
      expect(token).toBe(goodKey)
    }).pipe(Effect.provide(archive())))
})

describe("HttpStack over the in-process emulator", () => {
  it.effect("discovers the emulator from its API URL and authenticates from the environment", () => {
    const emulator = InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable))
    const stackLayer = HttpStack.layer({ instance: `${InProcessHttp.defaultApiUrl}/`, retry: { attempts: 1 } }).pipe(
      Layer.provideMerge(TokenStoreModule.layerMemory),
      Layer.provideMerge(emulator)
    )
    return Effect.gen(function*() {
      yield* seedUser
      const config = yield* DandiConfig.DandiConfig
      expect(config.instance.api).toBe(InProcessHttp.defaultApiUrl)
      expect(config.instance.name).toBe("api.dandi.test")
      const auth = yield* Auth
      expect(yield* auth.dandiAuthenticate()).toBe(true)
      expect(yield* whoAmI).toEqual({ username: "alice" })
    }).pipe(
      Effect.provide(stackLayer),
      // Chosen by URL: the key is read from DANDI_API_KEY (its own API.DANDI.TEST_API_KEY no shell can set).
      withEnv([["DANDI_API_KEY", goodKey], ["API.DANDI.TEST_API_KEY", "unused"]])
    )
  })
})
