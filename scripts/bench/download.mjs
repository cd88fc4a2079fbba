// Download of a 1 GiB asset over loopback from the emulator (a separate process), verified
// (dandi-etag and sha256) and written to disk, against `curl -o` of the same presigned URL in the
// same run. The headline is what users run: `dandi-effect download` as a whole process (the
// bundled CLI, start-up included). The library (`NodeDownload.assetToFile` in a child that
// imports the built packages) is the second figure. A third baseline, the ideal Node client
// (download-ideal.mjs: node:http, the same writes and hashes, no SDK), shows what Node itself
// needs here, so the CLI's distance to it is what the SDK adds. All write to the same file
// system; the emulator generates the bytes for all of them.
import { createHash } from "node:crypto"
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { cliBin, makeTempDir, mbps, MiB, startEmulator, timed } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const preload = pathToFileURL(join(here, "peak-rss.mjs")).href

export const name = "download"
export const description =
  "1 GiB asset over loopback (BENCH_DOWNLOAD_MIB), verified: `dandi-effect download` and the library vs curl -o of the same presigned URL"

const sha256Of = (path) =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path, { highWaterMark: 1 << 20 }).on("data", (chunk) => hash.update(chunk)).on("error", reject)
      .on("end", () => resolve(hash.digest("hex")))
  })

/** The file the run wrote, checked against the archive's size and sha256 (after the timing). */
const check = async (path, asset, who) => {
  const size = existsSync(path) ? statSync(path).size : -1
  if (size !== asset.size) throw new Error(`${who} left ${path} with ${size} bytes where the asset has ${asset.size}`)
  const expected = asset.metadata.digest["dandi:sha2-256"]
  const actual = await sha256Of(path)
  if (actual !== expected) throw new Error(`${who} wrote ${path} with sha256 ${actual}, expected ${expected}`)
}

/**
 * Before each timed run: the previous run's file deleted and every dirty page written out, so
 * that no contender pays for the kernel writing back another's gigabyte (on two cores the
 * writeback competes for the CPU, and it hit whoever came second).
 */
const settle = (...paths) => {
  timed("rm", ["-rf", ...paths])
  timed("sync", [])
}

const seconds = (runs) => runs.map((s) => s.toFixed(2)).join(", ")

export const run = async ({
  mib = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3)
} = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/NodeDownload.js"))) {
    throw new Error("packages/node/dist is missing: run `npm run build` first")
  }
  const size = mib * MiB
  const { cleanup, dir } = makeTempDir("dandi-effect-bench-download-")
  let emulator
  try {
    const seedFile = join(dir, "seed.json")
    writeFileSync(seedFile, JSON.stringify({
      users: [{ username: "bench", token: "bench-token" }],
      dandisets: [{ identifier: "000001", name: "bench", owners: ["bench"], assets: [{ path: "big.bin", size, seed: 1 }] }]
    }))
    emulator = await startEmulator(["--seed", seedFile])
    const { apiUrl } = emulator
    // Wait until the archive has computed the sha256 (it verifies as much as dandi-cli would).
    let asset
    for (let tries = 0; tries < 600; tries++) {
      const page = await (await fetch(`${apiUrl}/dandisets/000001/versions/draft/assets/?metadata=1`)).json()
      asset = page.results[0]
      if (asset?.metadata?.digest?.["dandi:sha2-256"]) break
      await new Promise((r) => setTimeout(r, 250))
    }
    const assetUrl = `${apiUrl}/assets/${asset.asset_id}/`
    const redirect = await fetch(`${assetUrl}download/`, { method: "HEAD", redirect: "manual" })
    const presigned = redirect.headers.get("location")
    const rssFile = join(dir, "rss")
    const curlRuns = []
    const idealRuns = []
    const cliRuns = []
    const libraryRuns = []
    for (let round = 0; round < rounds; round++) {
      const curlFile = join(dir, "curl.bin")
      settle()
      curlRuns.push(timed("curl", ["-sS", "--fail", "-o", curlFile, presigned]).seconds)
      await check(curlFile, asset, "curl")

      const idealFile = join(dir, "ideal.bin")
      settle(curlFile)
      const ideal = timed(process.execPath, [
        join(here, "download-ideal.mjs"),
        presigned,
        idealFile,
        String(asset.size),
        asset.metadata.digest["dandi:dandi-etag"],
        asset.metadata.digest["dandi:sha2-256"]
      ])
      await check(idealFile, asset, "the ideal Node client")
      idealRuns.push({ ...JSON.parse(ideal.stdout), wall: ideal.seconds })

      // What users run: the bundled CLI, a whole process, on the asset's API URL.
      const outDir = join(dir, `cli-${round}`)
      settle(idealFile)
      const cli = timed(process.execPath, ["--import", preload, cliBin, "download", "-i", apiUrl, "-o", outDir, assetUrl], {
        env: { ...process.env, BENCH_RSS_FILE: rssFile }
      })
      if (!/Downloaded 1 file, .*failed 0/.test(cli.stdout)) throw new Error(`dandi-effect download said: ${cli.stdout}`)
      await check(join(outDir, "big.bin"), asset, "dandi-effect download")
      cliRuns.push({ wall: cli.seconds, maxRssKiB: Number(readFileSync(rssFile, "utf8")) })

      const target = join(dir, `library-${round}.bin`)
      settle(outDir)
      const child = timed(process.execPath, [join(here, "download-child.mjs"), apiUrl, "big.bin", target])
      await check(target, asset, "the library")
      libraryRuns.push({ ...JSON.parse(child.stdout), wall: child.seconds })

      settle(target)
    }
    const bestCurl = Math.min(...curlRuns)
    const bestIdeal = Math.min(...idealRuns.map((r) => r.wall))
    const bestCli = Math.min(...cliRuns.map((r) => r.wall))
    const bestLibrary = Math.min(...libraryRuns.map((r) => r.wall))
    const peakMiB = (runs) => (Math.max(...runs.map((r) => r.maxRssKiB)) / 1024).toFixed(0)
    return {
      "size": `${mib} MiB`,
      "verified": `dandi-etag and sha256 by both SDK runs; every output file's sha256 checked by the bench`,
      "curl -o runs (s)": seconds(curlRuns),
      "ideal Node client runs, whole process, verified (s)": seconds(idealRuns.map((r) => r.wall)),
      "dandi-effect download runs, whole process (s)": seconds(cliRuns.map((r) => r.wall)),
      "library child runs, whole process (s)": seconds(libraryRuns.map((r) => r.wall)),
      "MB/s curl (best)": mbps(size, bestCurl).toFixed(0),
      "MB/s ideal Node client (best, verified)": mbps(size, bestIdeal).toFixed(0),
      "throughput ratio ideal Node client / curl (what Node can do here)": (bestCurl / bestIdeal).toFixed(2),
      "MB/s dandi-effect download (best, whole process, verified)": mbps(size, bestCli).toFixed(0),
      "throughput ratio dandi-effect download / curl (headline, goal ≥ 0.8)": (bestCurl / bestCli).toFixed(2),
      "throughput ratio dandi-effect download / ideal Node client (what the SDK costs)": (bestIdeal / bestCli).toFixed(2),
      "dandi-effect download peak RSS (MiB, goal ≤ 200 MB = 190 MiB)": peakMiB(cliRuns),
      "MB/s library (best)": mbps(size, bestLibrary).toFixed(0),
      "throughput ratio library / curl": (bestCurl / bestLibrary).toFixed(2),
      "library child peak RSS (MiB)": peakMiB(libraryRuns)
    }
  } finally {
    emulator?.child.kill("SIGTERM")
    cleanup()
  }
}
