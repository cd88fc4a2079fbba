/**
 * The SDK signed in as the emulator's owner, over real sockets to a loopback emulator that the
 * layer starts: for suites that run the same tests in process and over loopback.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"

/** `httpClient`: the client the SDK sends through (Node's undici unless a test wraps it). */
export const sdkOverLoopback = (
  httpClient: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
) =>
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
    Layer.provide(Layer.mergeAll(TokenStore.layerMemory, httpClient, Hasher.layerPortable)),
    Layer.orDie
  )
