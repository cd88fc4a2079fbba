/**
 * The SDK's `createDandiset(…, { embargo: true })` over real sockets to the loopback emulator
 * (Node's undici client); each test binds its own server inside its effect, on the test's clock.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { createEmbargoedSuite } from "../../../core/test/emulator/CreateEmbargoed.suite.js"

const sdkOverLoopback = () =>
  Layer.unwrapEffect(
    Effect.map(LoopbackServer.LoopbackEmulator, (running) =>
      DandiApi.layer({
        instance: { name: "loopback", gui: null, api: running.apiUrl },
        discover: false,
        token: "owner-token",
        validateToken: false
      }))
  ).pipe(
    Layer.provideMerge(LoopbackServer.layer()),
    Layer.provide(Layer.mergeAll(TokenStore.layerMemory, NodeHttpClient.layerUndici, Hasher.layerPortable)),
    Layer.orDie
  )

createEmbargoedSuite("loopback", sdkOverLoopback)
