/**
 * Testing your own code against the archive emulator: an in-memory DANDI Archive behind an
 * HttpClient (no sockets), seeded through its admin API, with the SDK pointed at it.
 */
import { DandiApi, Hasher, TokenStore } from "@dandi-effect/core"
import { InProcessHttp } from "@dandi-effect/core/testing"
import { Effect, Layer } from "effect"

const archive = InProcessHttp.layerInProcess({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "me", token: "my-test-key" })
      yield* admin.createDandiset({ identifier: "000001", name: "My study", owners: ["me"] })
      yield* admin.addBlobAsset("000001", "sub-1/sub-1_ecephys.nwb", {
        _tag: "Bytes",
        bytes: new TextEncoder().encode("not really NWB")
      })
    })
}).pipe(Layer.provideMerge(Hasher.layerPortable))

/** DandiApi (authenticated as "me") plus the emulator, for `Effect.provide` in a test. */
export const testArchiveLayer = DandiApi.layer({
  instance: InProcessHttp.defaultApiUrl,
  discover: false,
  token: "my-test-key"
}).pipe(Layer.provide(TokenStore.layerMemory), Layer.provideMerge(archive))
