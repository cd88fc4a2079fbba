// Computes the dandi-zarr-checksum of one directory with the compiled SDK; prints JSON timing.
import * as Effect from "effect/Effect"
import * as HashWorkerPool from "../../packages/node/dist/HashWorkerPool.js"
import * as LocalZarr from "../../packages/node/dist/LocalZarr.js"

const [root] = process.argv.slice(2)
const started = process.hrtime.bigint()
const checksum = await Effect.runPromise(LocalZarr.checksum(root).pipe(Effect.provide(HashWorkerPool.layer())))
const seconds = Number(process.hrtime.bigint() - started) / 1e9
process.stdout.write(JSON.stringify({ checksum: String(checksum), seconds, maxRssKiB: process.resourceUsage().maxRSS }) + "\n")
