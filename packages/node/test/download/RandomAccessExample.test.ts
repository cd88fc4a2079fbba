/**
 * examples/RandomAccess.ts runs as written against the loopback emulator through NodeDandi.
 */
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { program } from "../../../../examples/RandomAccess.js"
import { archive, storageRequests } from "./LoopbackDownload.js"

const size = 5000

it.scopedLive("RandomAccess: reads 4 bytes at 0 and 4 at 100 of an NWB file with one request", () =>
  Effect.gen(function*() {
    const { first, second } = yield* program
    const bytes = deterministicBytes(27, 0, size)
    expect(first).toEqual(bytes.subarray(0, 4))
    expect(second).toEqual(bytes.subarray(100, 104))
    // One block covers the whole (small) file: one plain GET, no token.
    expect(yield* storageRequests).toEqual([{ method: "GET", range: undefined, authorization: undefined, at: expect.any(Number) }])
  }).pipe(Effect.provide(archive((admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-token" })
      yield* admin.createDandiset({ identifier: "000027", name: "README study", owners: ["owner"] })
      yield* admin.addBlobAsset("000027", "sub-RAT123/sub-RAT123.nwb", { _tag: "Generated", size, seed: 27 })
    })
  ))))
