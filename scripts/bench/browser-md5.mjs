// MD5 in headless Chromium (hash-wasm's WebAssembly, what BrowserHasher uses) against Node's
// node:crypto MD5 (what NodeHasher uses), on the same bytes, in 1 MiB updates as the SDK hashes.
import { readFileSync } from "node:fs"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import { mbps, MiB } from "./common.mjs"

export const name = "browser-md5"
export const description =
  "MD5 throughput in headless Chromium (hash-wasm, as BrowserHasher) vs Node (node:crypto, as NodeHasher), same bytes (256 MiB unless BENCH_BROWSER_MD5_MIB)"

// The same pseudo-random bytes on both sides (xorshift32), so the two digests must agree.
const fill = (size, seed) => {
  const bytes = new Uint8Array(size)
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2)
  let state = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    words[i] = state
  }
  return bytes
}

export const run = async ({ sizeMiB = Number(process.env.BENCH_BROWSER_MD5_MIB ?? 256), rounds = Number(process.env.BENCH_ROUNDS ?? 3) } = {}) => {
  const size = sizeMiB * MiB
  const seed = 20240101
  const require = createRequire(import.meta.url)
  const md5Script = readFileSync(require.resolve("hash-wasm/dist/md5.umd.min.js"), "utf8")
  const { chromium } = await import("playwright")

  const data = fill(size, seed)
  const nodeRuns = []
  let nodeDigest = ""
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint()
    const hash = createHash("md5")
    for (let at = 0; at < size; at += MiB) hash.update(data.subarray(at, at + MiB))
    nodeDigest = hash.digest("hex")
    nodeRuns.push(Number(process.hrtime.bigint() - start) / 1e9)
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
  })
  try {
    const page = await browser.newPage()
    await page.addScriptTag({ content: md5Script })
    const inPage = await page.evaluate(async ({ fillSource, size, seed, rounds, MiB }) => {
      const fill = new Function(`return (${fillSource})`)()
      const data = fill(size, seed)
      const md5 = await globalThis.hashwasm.createMD5()
      const runs = []
      let digest = ""
      for (let round = 0; round < rounds; round++) {
        const start = performance.now()
        md5.init()
        for (let at = 0; at < size; at += MiB) md5.update(data.subarray(at, at + MiB))
        digest = md5.digest("hex")
        runs.push((performance.now() - start) / 1000)
      }
      return { runs, digest, userAgent: navigator.userAgent }
    }, { fillSource: fill.toString(), size, seed, rounds, MiB })

    if (inPage.digest !== nodeDigest) throw new Error(`the digests differ: Chromium ${inPage.digest}, Node ${nodeDigest}`)
    const bestNode = Math.min(...nodeRuns)
    const bestBrowser = Math.min(...inPage.runs)
    return {
      "bytes hashed": `${sizeMiB} MiB in 1 MiB updates, in memory`,
      "Chromium": inPage.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? inPage.userAgent,
      "Node node:crypto MD5 MB/s (best run)": mbps(size, bestNode).toFixed(0),
      "Chromium hash-wasm MD5 MB/s (best run)": mbps(size, bestBrowser).toFixed(0),
      "THROUGHPUT RATIO Chromium / Node": (bestNode / bestBrowser).toFixed(2),
      "Node runs (s)": nodeRuns.map((s) => s.toFixed(2)).join(", "),
      "Chromium runs (s)": inPage.runs.map((s) => s.toFixed(2)).join(", "),
      "md5": nodeDigest
    }
  } finally {
    await browser.close()
  }
}
