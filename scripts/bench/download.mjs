// Download of a 1 GiB asset over loopback from the emulator (a separate process), verified
// (dandi-etag and sha256) and written to disk, against `curl -o` of the same presigned URL in the
// same run. Both write to the same file system; the emulator generates the bytes for both.
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeTempDir, mbps, MiB, startEmulator, timed } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))

export const name = "download"
export const description = "1 GiB asset over loopback (BENCH_DOWNLOAD_MIB), verified, vs curl -o of the same presigned URL"

export const run = async ({ mib = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024), rounds = 2 } = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/NodeDownload.js"))) {
    throw new Error("packages/node/dist is missing: run `npx tsc -b` first")
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
    const redirect = await fetch(`${apiUrl}/assets/${asset.asset_id}/download/`, { method: "HEAD", redirect: "manual" })
    const presigned = redirect.headers.get("location")
    const curlRuns = []
    const ours = []
    for (let round = 0; round < rounds; round++) {
      curlRuns.push(timed("curl", ["-sS", "--fail", "-o", join(dir, "curl.bin"), presigned]).seconds)
      const target = join(dir, `ours-${round}.bin`)
      const child = timed(process.execPath, [join(here, "download-child.mjs"), apiUrl, "big.bin", target])
      ours.push({ ...JSON.parse(child.stdout), wall: child.seconds })
      timed("rm", ["-f", target, join(dir, "curl.bin")])
    }
    const bestCurl = Math.min(...curlRuns)
    const best = ours.reduce((a, b) => (b.wall < a.wall ? b : a))
    return {
      "size": `${mib} MiB`,
      "verified": best.verified.join(", "),
      "curl -o runs (s)": curlRuns.map((s) => s.toFixed(2)).join(", "),
      "dandi-effect runs, whole process (s)": ours.map((o) => o.wall.toFixed(2)).join(", "),
      "MB/s curl (best)": mbps(size, bestCurl).toFixed(0),
      "MB/s dandi-effect (best, whole process, verified)": mbps(size, best.wall).toFixed(0),
      "throughput ratio dandi-effect / curl (headline, goal ≥ 0.8)": (bestCurl / best.wall).toFixed(2),
      "dandi-effect peak RSS (MiB, goal ≤ 200)": (Math.max(...ours.map((o) => o.maxRssKiB)) / 1024).toFixed(0)
    }
  } finally {
    emulator?.child.kill("SIGTERM")
    cleanup()
  }
}
