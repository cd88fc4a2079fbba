/**
 * The README's first program (`src/main.ts` there): the assets of a dandiset, with their sizes,
 * authenticated when a key is available. `main` runs it on the archive `DANDI_INSTANCE` names
 * (the public archive by default); the tests run `listAssets` against the emulator.
 */
import { DandiApi } from "@dandi-effect/core"
import { NodeDandi } from "@dandi-effect/node"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"

export const listAssets = (dandisetId: string) =>
  Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    yield* api.dandiAuthenticate({ required: false }) // the instance's API key, then the OS keyring; else anonymous
    const dandiset = yield* api.getDandiset(dandisetId)
    yield* dandiset.getAssets().pipe(Stream.runForEach((asset) => Console.log(asset.path, asset.size)))
  })

export const main = (dandisetId = "000027") =>
  NodeRuntime.runMain(listAssets(dandisetId).pipe(Effect.provide(NodeDandi.layerConfig())))
