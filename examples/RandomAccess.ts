/**
 * Random access to a remote NWB file without downloading it (dandi-cli's `as_readable()`):
 * open the asset, read 4 bytes at 0, seek to 100, read 4 more. Only the blocks touched are
 * fetched, by ranged requests to storage. `main` runs it against the real archive; the tests run
 * `program` against the emulator.
 */
import { DandiApi } from "@dandi-effect/core"
import { NodeDandi, NodeReadable } from "@dandi-effect/node"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")

export const program = Effect.scoped(Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const dandiset = yield* api.getDandiset("000027", "draft")
  const asset = yield* dandiset.getAssetByPath("sub-RAT123/sub-RAT123.nwb")
  const readable = yield* NodeReadable.asReadable(asset)

  // As a file object: read, seek, read.
  const fp = readable.open()
  const first = yield* fp.read(4)
  fp.seek(100)
  const second = yield* fp.read(4)
  yield* Console.log(`${readable.name}: ${readable.size} bytes; at 0: ${hex(first)}; at 100: ${hex(second)}`)
  return { first, second, size: readable.size }
}))

export const main = () => NodeRuntime.runMain(program.pipe(Effect.provide(NodeDandi.layer({ instance: "dandi" }))))
