/**
 * What the loopback emulator's `/info/` advertises: a web app only where one is served. dandi-cli
 * (and the SDK's discovery) take `services.webui.url` as the instance's web address, so a URL that
 * nothing answers would send people and tools nowhere.
 */
import { ServerInfo } from "@dandi-effect/core/ApiRecords"
import * as DandiInstance from "@dandi-effect/core/DandiInstance"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

const infoOf = (options: LoopbackServer.LoopbackOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const { apiUrl } = yield* LoopbackServer.make(options)
    const response = yield* Effect.promise(() => fetch(`${apiUrl}/info/`))
    return { apiUrl, info: (yield* Effect.promise(() => response.json())) as Record<string, any> }
  })).pipe(Effect.provide(Hasher.layerPortable))

describe("the loopback emulator's /info/", () => {
  it.live("without a web app: no webui service and a null instance_url; discovery gives no gui", () =>
    Effect.gen(function*() {
      const { apiUrl, info } = yield* infoOf({})
      expect(info["services"]).toEqual({ api: { url: apiUrl }, jupyterhub: { url: "https://hub.dandiarchive.org" } })
      expect(info["instance_config"]["instance_url"]).toBeNull()
      const instance = DandiInstance.instanceFromServerInfo(yield* Schema.decodeUnknown(ServerInfo)(info))
      expect(instance.gui).toBeNull()
    }))

  it.live("with the web app it is given (e.g. the example page): advertised as webui and instance_url", () =>
    Effect.gen(function*() {
      const { info } = yield* infoOf({ webUrl: "http://localhost:5173/" })
      expect(info["services"]["webui"]).toEqual({ url: "http://localhost:5173" })
      expect(info["instance_config"]["instance_url"]).toBe("http://localhost:5173/")
    }))
})
