/**
 * The README's first example: list a dandiset's draft assets, authenticated when a key is
 * available. `main` runs it against the real archive; the tests run `program` against the emulator.
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { NodeDandi } from "@dandi-effect/node"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"

export const program = Effect.gen(function*() {
  const api = yield* DandiApi
  yield* api.dandiAuthenticate({ required: false }) // DANDI_API_KEY, then the OS keyring; else anonymous
  const dandiset = yield* api.getDandiset("000027", "draft")
  yield* dandiset.getAssets().pipe(Stream.runForEach((asset) => Console.log(asset.path, asset.size)))
})

export const main = () => NodeRuntime.runMain(program.pipe(Effect.provide(NodeDandi.layer({ instance: "dandi" }))))
