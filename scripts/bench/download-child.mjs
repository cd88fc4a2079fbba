// Child of the download bench: downloads one asset with the SDK (verified: dandi-etag and
// sha256) and prints its own timing and peak RSS as JSON. Imports the built packages by path,
// like the other bench children.
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as DandiApi from "../../packages/core/dist/DandiApi.js"
import * as TokenStore from "../../packages/core/dist/TokenStore.js"
import * as NodeDandi from "../../packages/node/dist/NodeDandi.js"
import * as NodeDownload from "../../packages/node/dist/NodeDownload.js"

const [apiUrl, assetPath, target] = process.argv.slice(2)

const started = process.hrtime.bigint()
const program = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const dandiset = yield* api.getDandiset("000001", "draft")
  const asset = yield* dandiset.getAssetByPath(assetPath)
  let completed
  yield* Stream.runForEach(NodeDownload.assetToFile(asset, target), (event) =>
    Effect.sync(() => {
      if (event._tag === "Completed") completed = event
    }))
  return completed
})
const completed = await Effect.runPromise(program.pipe(
  Effect.provide(NodeDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStore.layerMemory }))
))
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, verified: completed.verified }))
