// dandi-etag of a large file against md5sum on the same file, both with the file in the page cache.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeTempDir, mbps, MiB, timed, warm, writeRandomFile } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))

export const name = "digest"
export const description = "dandi-etag (worker threads) vs md5sum on one large file (2 GiB unless BENCH_ETAG_MIB), warm page cache"

export const run = async ({ sizeMiB = Number(process.env.BENCH_ETAG_MIB ?? 2048), rounds = Number(process.env.BENCH_ROUNDS ?? 5) } = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/ParallelEtag.js"))) {
    throw new Error("packages/node/dist is missing: run `npx tsc -b` first")
  }
  const size = sizeMiB * MiB
  const { cleanup, dir } = makeTempDir("dandi-effect-bench-")
  try {
    const file = join(dir, "big.bin")
    writeRandomFile(file, size)
    warm(file)
    const md5sum = []
    const ours = []
    // Alternate the two so neither benefits from running second.
    for (let round = 0; round < rounds; round++) {
      md5sum.push(timed("md5sum", [file]).seconds)
      const child = timed(process.execPath, [join(here, "etag-child.mjs"), file])
      // `wall` includes Node start-up and module loading, like md5sum's exec: the headline ratio
      // uses it. `seconds` is the hashing alone, measured inside the process.
      ours.push({ ...JSON.parse(child.stdout), wall: child.seconds })
    }
    const bestMd5sum = Math.min(...md5sum)
    const best = ours.reduce((a, b) => (b.wall < a.wall ? b : a))
    const bestInside = Math.min(...ours.map((o) => o.seconds))
    const peakRssMiB = Math.max(...ours.map((o) => o.maxRssKiB)) / 1024
    const startup = Math.min(...ours.map((o) => o.wall - o.seconds))
    return {
      "file size": `${sizeMiB} MiB (${size} bytes)`,
      "page cache": "warm (file read once before timing; both tools read the same cached file)",
      "md5sum MB/s (best run)": mbps(size, bestMd5sum).toFixed(0),
      "dandi-etag MB/s (best run, hashing)": mbps(size, bestInside).toFixed(0),
      "THROUGHPUT RATIO dandi-etag / md5sum (hashing)": (bestMd5sum / bestInside).toFixed(2),
      "wall-time ratio incl. Node + Effect start-up": (bestMd5sum / best.wall).toFixed(2),
      "dandi-etag fixed start-up (s): Node + module loading, outside the hashing span": startup.toFixed(2),
      "md5sum runs (s)": md5sum.map((s) => s.toFixed(2)).join(", "),
      "dandi-etag runs, hashing (s)": ours.map((o) => o.seconds.toFixed(2)).join(", "),
      "dandi-etag runs, whole process (s)": ours.map((o) => o.wall.toFixed(2)).join(", "),
      "dandi-etag peak RSS (MiB)": peakRssMiB.toFixed(0),
      "dandi-etag": best.etag
    }
  } finally {
    cleanup()
  }
}
