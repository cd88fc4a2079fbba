// Child of the download bench: the ideal Node client. It shows what Node itself needs on this
// machine to receive the asset's bytes, write them to a file and verify them as the SDK does
// (the dandi-etag, i.e. one md5 per part of the archive's part plan, and the sha256), with no SDK
// and no Effect: node:http, writes of ~1 MiB batches, hashes on the main thread (on two shared
// cores a worker costs more than it saves). No retries, no resume: only the work that cannot be
// avoided, so the CLI's distance to it is what the SDK adds.
// Usage: download-ideal.mjs <presigned URL> <target> <size> <dandi-etag> <sha256>
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"
import { get } from "node:http"
import * as DandiEtag from "../../packages/core/dist/DandiEtag.js"

const [url, target, sizeText, expectedEtag, expectedSha256] = process.argv.slice(2)
const size = Number(sizeText)
const plan = DandiEtag.plan(size)
if (plan._tag !== "Right") throw new Error(`no part plan for ${size} bytes`)
const parts = [...plan.right.parts()]

const sha256 = createHash("sha256")
const partDigests = []
let part = 0
let partLeft = parts[0]?.size ?? 0
let partHash = createHash("md5")
const hashParts = (chunk) => {
  for (let at = 0; at < chunk.length;) {
    const take = Math.min(partLeft, chunk.length - at)
    partHash.update(take === chunk.length ? chunk : chunk.subarray(at, at + take))
    at += take
    partLeft -= take
    if (partLeft === 0) {
      partDigests.push(partHash.digest())
      part += 1
      partLeft = parts[part]?.size ?? 0
      partHash = createHash("md5")
    }
  }
}

const started = process.hrtime.bigint()
const file = await open(target, "w")
await new Promise((resolve, reject) => {
  get(url, (response) => {
    if (response.statusCode !== 200) reject(new Error(`GET answered ${response.statusCode}`))
    let batch = []
    let batchBytes = 0
    let writing = Promise.resolve()
    const flush = (chunks) => file.writev(chunks)
    response.on("data", (chunk) => {
      sha256.update(chunk)
      hashParts(chunk)
      batch.push(chunk)
      batchBytes += chunk.length
      if (batchBytes < 2 ** 20) return
      const chunks = batch
      batch = []
      batchBytes = 0
      response.pause()
      writing = writing.then(() => flush(chunks)).then(() => response.resume(), reject)
    })
    response.on("end", () => writing.then(() => flush(batch)).then(resolve, reject))
    response.on("error", reject)
  }).on("error", reject)
})
await file.close()
const etag = `${createHash("md5").update(Buffer.concat(partDigests)).digest("hex")}-${partDigests.length}`
const sha = sha256.digest("hex")
if (etag !== expectedEtag || sha !== expectedSha256) {
  throw new Error(`the ideal client computed dandi-etag ${etag} and sha256 ${sha}, expected ${expectedEtag} and ${expectedSha256}`)
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS }))
