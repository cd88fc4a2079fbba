// Child of the listing bench: `Stream.runCount(dandiset.getAssets())` through the library (the
// built packages, imported by path), at BENCH_PAGE_CONCURRENCY pages in flight if set, else the
// SDK's default. Prints the count, the listing's own seconds and the peak RSS as JSON.
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as DandiApi from "../../packages/core/dist/DandiApi.js"
import * as TokenStore from "../../packages/core/dist/TokenStore.js"
import * as NodeDandi from "../../packages/node/dist/NodeDandi.js"

const [apiUrl, dandisetId, versionId = "draft"] = process.argv.slice(2)
const concurrency = process.env.BENCH_PAGE_CONCURRENCY

const started = process.hrtime.bigint()
const count = await Effect.runPromise(
  Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    const dandiset = yield* api.getDandiset(dandisetId, versionId)
    return yield* Stream.runCount(dandiset.getAssets())
  }).pipe(Effect.provide(NodeDandi.layer({
    instance: apiUrl,
    discover: false,
    tokenStore: TokenStore.layerMemory,
    ...(concurrency === undefined ? {} : { pageConcurrency: Number(concurrency) })
  })))
)
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ count, seconds, maxRssKiB: process.resourceUsage().maxRSS }))
