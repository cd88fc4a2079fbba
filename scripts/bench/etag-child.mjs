// Computes the dandi-etag of one file with the compiled SDK and reports time and peak RSS as JSON.
// Runs in its own process so that peak RSS is ours alone (worker threads included). The timed
// span starts after module loading and includes starting the worker threads.
import * as Effect from "effect/Effect"
import * as HashWorkerPool from "../../packages/node/dist/HashWorkerPool.js"
import * as ParallelEtag from "../../packages/node/dist/ParallelEtag.js"

const [path, workers] = process.argv.slice(2)
const program = ParallelEtag.ofFile(path).pipe(
  Effect.provide(HashWorkerPool.layer(workers ? { workers: Number(workers) } : {}))
)
const started = process.hrtime.bigint()
const etag = await Effect.runPromise(program)
const seconds = Number(process.hrtime.bigint() - started) / 1e9
process.stdout.write(JSON.stringify({ etag, seconds, maxRssKiB: process.resourceUsage().maxRSS }) + "\n")
