// Uploads a local zarr with the compiled SDK (ZarrTransfers over NodeDandi) to an emulator, then
// downloads it into an empty directory, and reports each phase's time, the checksums and peak
// RSS as JSON. Runs in its own process so that peak RSS is the SDK's alone.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TokenStore from "../../packages/core/dist/TokenStore.js"
import * as ZarrTransfers from "../../packages/core/dist/ZarrTransfers.js"
import * as LocalZarr from "../../packages/node/dist/LocalZarr.js"
import * as NodeDandi from "../../packages/node/dist/NodeDandi.js"

const [apiUrl, token, dandisetId, source, target, jobs] = process.argv.slice(2)
const at = () => Number(process.hrtime.bigint()) / 1e9
const program = Effect.gen(function*() {
  const zarrs = yield* ZarrTransfers.ZarrTransfers
  const started = at()
  const uploaded = yield* zarrs.uploadZarr({
    dandisetId,
    path: "bench.ome.zarr",
    source: yield* LocalZarr.source(source),
    jobs: Number(jobs),
    pollInterval: "50 millis"
  })
  const between = at()
  const downloaded = yield* zarrs.downloadZarr({
    zarrId: uploaded.zarrId,
    target: yield* LocalZarr.target(target),
    checksum: uploaded.checksum,
    jobs: Number(jobs)
  })
  const ended = at()
  return {
    uploadSeconds: between - started,
    downloadSeconds: ended - between,
    uploaded: uploaded.uploaded,
    downloaded: downloaded.downloaded,
    checksum: uploaded.checksum,
    downloadedChecksum: downloaded.checksum
  }
}).pipe(Effect.provide(NodeDandi.layer({
  instance: apiUrl,
  discover: false,
  token: Redacted.make(token),
  tokenStore: TokenStore.layerMemory
})))
const result = await Effect.runPromise(program)
process.stdout.write(JSON.stringify({ ...result, maxRssKiB: process.resourceUsage().maxRSS }) + "\n")
