/** The README's "test your own code against the emulator" example works as written. */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { testArchiveLayer } from "../../../examples/EmulatorTestLayer.js"

describe("examples/EmulatorTestLayer", () => {
  it.effect("gives an authenticated DandiApi over the seeded in-memory archive", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi
      expect((yield* api.me).username).toBe("me")
      const dandiset = yield* api.getDandiset("000001", "draft")
      const paths = Chunk.toReadonlyArray(yield* Stream.runCollect(dandiset.getAssets())).map((asset) => asset.path)
      expect(paths).toEqual(["sub-1/sub-1_ecephys.nwb"])
    }).pipe(Effect.provide(testArchiveLayer)))
})
