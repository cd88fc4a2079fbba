// Uploads one file with the compiled SDK (NodeDandi's Uploader, parts hashed once, on worker threads)
// to an emulator and reports the phases' times and peak RSS as JSON. Runs in its own process so
// that peak RSS is the uploader's alone.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TokenStore from "../../packages/core/dist/TokenStore.js"
import * as Uploader from "../../packages/core/dist/Uploader.js"
import * as UploadState from "../../packages/core/dist/UploadState.js"
import * as HashWorkerPool from "../../packages/node/dist/HashWorkerPool.js"
import * as NodeByteSource from "../../packages/node/dist/NodeByteSource.js"
import * as NodeDandi from "../../packages/node/dist/NodeDandi.js"
import * as ParallelEtag from "../../packages/node/dist/ParallelEtag.js"

const [apiUrl, token, dandisetId, path, assetPath] = process.argv.slice(2)
const marks = {}
const at = () => Number(process.hrtime.bigint()) / 1e9
const program = Effect.gen(function*() {
  const uploader = yield* Uploader.Uploader
  const source = yield* NodeByteSource.fromPath(path)
  const pool = yield* HashWorkerPool.HashWorkerPool
  return yield* uploader.uploadBlob({
    dandisetId,
    source,
    path: assetPath,
    digests: ParallelEtag.digestsOfFileWith(pool, path)
  }, (event) => Effect.sync(() => { marks[event._tag] ??= at() }))
}).pipe(
  Effect.provide(Layer.merge(
    NodeDandi.layer({
      instance: apiUrl,
      discover: false,
      token: Redacted.make(token),
      tokenStore: TokenStore.layerMemory,
      uploadState: UploadState.layerDisabled
    }),
    HashWorkerPool.layer()
  ))
)
const started = at()
const result = await Effect.runPromise(program)
const ended = at()
process.stdout.write(JSON.stringify({
  etag: result.etag,
  seconds: ended - started,
  hashSeconds: (marks.Hashed ?? started) - started,
  transferSeconds: ended - (marks.Hashed ?? started),
  maxRssKiB: process.resourceUsage().maxRSS
}) + "\n")
