/**
 * NodeDandi.layer against the loopback emulator over real sockets (undici): listing, one
 * dandiset, authentication at build time, the environment-driven layerConfig, and the platform
 * services the layer brings along. A memory TokenStore keeps the tests off the user's keyring.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeDandi from "@dandi-effect/node/NodeDandi"
import { FileSystem, Path } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Chunk, ConfigProvider, Effect, Exit, Layer, Option, Redacted, Stream } from "effect"

const ownerKey = "0123456789abcdef0123456789abcdef01234567"
const badKey = "ffffffffffffffffffffffffffffffffbadbad00"

const bytes = (text: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(text) }) as const

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: ownerKey })
      yield* admin.createDandiset({ identifier: "000001", name: "Public study", owners: ["owner"] })
      yield* admin.addBlobAsset("000001", "sub-1/data.nwb", bytes("nwb bytes"))
      yield* admin.createDandiset({ identifier: "000002", name: "Embargoed study", owners: ["owner"], embargoed: true })
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

const nodeDandi = (apiUrl: string, options: NodeDandi.NodeDandiOptions = {}) =>
  NodeDandi.layer({ instance: apiUrl, discover: false, retry: { attempts: 1 }, tokenStore: TokenStoreModule.layerMemory, ...options })

const identifiers = Effect.flatMap(DandiApi.DandiApi, (api) =>
  Effect.map(Stream.runCollect(api.getDandisets({ embargoed: true })), (all) => Chunk.toReadonlyArray(all).map((d) => d.identifier)))

layer(server, { excludeTestServices: true })("NodeDandi.layer over the loopback emulator", (it) => {
  it.effect("lists dandisets and loads one with its assets, anonymously", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const result = yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        const listed = yield* Stream.runCollect(api.getDandisets())
        const dandiset = yield* api.getDandiset("000001")
        const assets = yield* Stream.runCollect(dandiset.getAssets())
        return {
          listed: Chunk.toReadonlyArray(listed).map((d) => d.identifier),
          version: yield* dandiset.versionId,
          paths: Chunk.toReadonlyArray(assets).map((a) => a.path)
        }
      }).pipe(Effect.provide(nodeDandi(apiUrl)))
      expect(result.listed).toEqual(["000001"])
      expect(result.version).toBe("draft")
      expect(result.paths).toEqual(["sub-1/data.nwb"])
    }))

  it.effect("a token is checked while building and then sent: the owner sees the embargoed dandiset", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const seen = yield* identifiers.pipe(Effect.provide(nodeDandi(apiUrl, { token: Redacted.make(ownerKey) })))
      expect(seen).toEqual(["000001", "000002"])
    }))

  it.effect("a bad token fails the layer with AuthenticationError, the key nowhere in it", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const exit = yield* Effect.exit(identifiers.pipe(Effect.provide(nodeDandi(apiUrl, { token: badKey }))))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isSuccess(exit)) return
      const error = Option.getOrThrow(Cause.failureOption(exit.cause))
      expect(error._tag).toBe("AuthenticationError")
      for (const shown of [error.message, String(error), JSON.stringify(error), Cause.pretty(exit.cause)]) {
        expect(shown).not.toContain(badKey)
      }
    }))

  it.effect("authenticate: \"env-or-store\" uses a saved key, and save: true stores an accepted one", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const instanceName = new URL(apiUrl).host
      const store = yield* TokenStoreModule.makeMemory
      const storeLayer = Layer.succeed(TokenStore, store)
      yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        yield* api.authenticate(ownerKey, { save: true })
        expect((yield* api.me).username).toBe("owner")
      }).pipe(Effect.provide(nodeDandi(apiUrl, { tokenStore: storeLayer })))
      expect(Option.map(yield* store.get(instanceName), Redacted.value)).toEqual(Option.some(ownerKey))
      const seen = yield* identifiers.pipe(
        Effect.provide(nodeDandi(apiUrl, { tokenStore: storeLayer, authenticate: "env-or-store" })),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      )
      expect(seen).toContain("000002")
    }))

  it.effect("layerConfig reads DANDI_INSTANCE and DANDI_PAGE_SIZE from the environment", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const result = yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        const config = yield* DandiConfig.DandiConfig
        const listed = yield* Stream.runCollect(api.getDandisets())
        return { apiUrl: api.location.apiUrl, pageSize: config.pageSize, listed: Chunk.size(listed) }
      }).pipe(
        Effect.provide(NodeDandi.layerConfig({ tokenStore: TokenStoreModule.layerMemory })),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DANDI_INSTANCE", apiUrl], ["DANDI_PAGE_SIZE", "1"]])))
      )
      expect(result).toEqual({ apiUrl, pageSize: 1, listed: 1 })
    }))

  describe("layerConfig with the instance given as a URL (DANDI_INSTANCE=http://127.0.0.1:PORT/api)", () => {
    const withEnvironment = (apiUrl: string, key: string | undefined) =>
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DANDI_INSTANCE", apiUrl], ...(key === undefined ? [] : [["DANDI_API_KEY", key] as const])])))
    const whoAmI = Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      yield* api.dandiAuthenticate({ required: true })
      return (yield* api.me).username
    }).pipe(Effect.provide(NodeDandi.layerConfig({ tokenStore: TokenStoreModule.layerMemory, retry: { attempts: 1 } })))

    /** Each URL a message names must be a page that answers, and each variable one a shell can set. */
    const checkMessage = (message: string) =>
      Effect.gen(function*() {
        expect(message).not.toMatch(/\.\.(?!\.)|\s$|^\s| \./)
        for (const variable of message.match(/\S+_API_KEY\b/g) ?? []) expect(variable).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        for (const url of message.match(/https?:\/\/[^\s),]+/g) ?? []) {
          const answered = yield* Effect.promise(() => fetch(url).then((response) => response.status < 500, () => false))
          expect(answered, `${url}, named in "${message}", does not answer`).toBe(true)
        }
      })

    it.effect("DANDI_API_KEY is the key: the owner is authenticated", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        expect(yield* whoAmI.pipe(withEnvironment(apiUrl, ownerKey))).toBe("owner")
      }))

    it.effect("a wrong key fails naming DANDI_API_KEY, and no page that does not exist", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const error = yield* Effect.flip(whoAmI.pipe(withEnvironment(apiUrl, badKey)))
        expect(error._tag).toBe("AuthenticationError")
        expect(error.message).toContain("DANDI_API_KEY")
        expect(error.message).not.toContain(badKey)
        yield* checkMessage(error.message)
      }))

    it.effect("no key fails saying to set DANDI_API_KEY, and no page that does not exist", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const error = yield* Effect.flip(whoAmI.pipe(withEnvironment(apiUrl, undefined)))
        expect(error._tag).toBe("AuthenticationError")
        expect(error.message).toContain("Set DANDI_API_KEY")
        yield* checkMessage(error.message)
      }))
  })

  describe("platform services", () => {
    it.effect("brings FileSystem, Path and the node:crypto Hasher", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const path = yield* Path.Path
          const hasher = yield* Hasher.Hasher
          const md5 = hasher.create("md5")
          md5.update(new TextEncoder().encode("abc"))
          const hex = Buffer.from(md5.digest()).toString("hex")
          return { exists: yield* fs.exists(path.join(process.cwd(), "package.json")), hex }
        }).pipe(Effect.provide(nodeDandi(apiUrl)))
        expect(result).toEqual({ exists: true, hex: "900150983cd24fb0d6963f7d28e17f72" })
      }))
  })
})
