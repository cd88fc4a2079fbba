// Lists a remote zarr with the compiled SDK and folds it into the streaming zarr checksum, then
// prints the heap retained along the way as JSON. Runs in its own process under
// `node --expose-gc` so that each sample is the heap left after a full collection, and so that
// the emulator's own memory (its store of entries) is not counted.
//
// argv: API URL, zarr id, and "stream" (keep nothing per entry) or "collect" (keep every entry,
// the cost that streaming avoids).
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import * as NodeDandi from "@dandi-effect/node/NodeDandi"

const [apiUrl, zarrId, mode] = process.argv.slice(2)
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc")
const retained = () => {
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

const program = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const held = []
  const checksum = new ZarrChecksum.SortedStream(Hasher.portable)
  // A first page warms the client (code, pools) so that the baseline is not its first use.
  yield* Stream.runDrain(Stream.take(api.listZarrFiles(zarrId), 1))
  const baseline = retained()
  let peak = baseline
  let count = 0
  yield* Stream.runForEach(api.listZarrFiles(zarrId), (entry) =>
    Effect.sync(() => {
      checksum.add({ path: entry.path, size: entry.size, digest: entry.etag })
      if (mode === "collect") held.push(entry)
      // Sampled once per page of the listing (1000 entries).
      if (++count % 1000 === 0) peak = Math.max(peak, retained())
    }))
  const result = Either.getOrThrow(checksum.result())
  peak = Math.max(peak, retained())
  return { count, held: held.length, checksum: result.toString(), baseline, peak }
}).pipe(Effect.provide(NodeDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStore.layerMemory })))

process.stdout.write(JSON.stringify(await Effect.runPromise(program)) + "\n")
