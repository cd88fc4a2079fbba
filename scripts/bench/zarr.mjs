// dandi-zarr-checksum of a Zarr-like tree of many small files against `find | xargs md5sum`
// (which only hashes the files; the checksum also builds the tree), both warm in the page cache.
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeTempDir, timed } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))

export const name = "zarr"
export const description = "zarr-checksum of 50,000 small files (BENCH_ZARR_FILES) vs find | xargs md5sum, warm page cache"

export const run = async ({ files = Number(process.env.BENCH_ZARR_FILES ?? 50_000), rounds = 3 } = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/LocalZarr.js"))) {
    throw new Error("packages/node/dist is missing: run `npx tsc -b` first")
  }
  const { cleanup, dir } = makeTempDir("dandi-effect-bench-zarr-")
  try {
    const root = join(dir, "bench.zarr")
    const arrays = 10
    const perArray = Math.ceil(files / arrays)
    const pool = randomBytes(1 << 20)
    let bytes = 0
    for (let a = 0, written = 0; a < arrays; a++) {
      writeFileSync(join((mkdirSync(join(root, `arr_${a}`), { recursive: true }), root), `arr_${a}`, "zarr.json"), "{}")
      for (let row = 0; row * 100 < perArray && written < files; row++) {
        const rowDir = join(root, `arr_${a}`, "c", String(row))
        mkdirSync(rowDir, { recursive: true })
        for (let col = 0; col < 100 && written < files; col++, written++) {
          const size = 512 + ((written * 2654435761) % 3584)
          const start = (written * 7919) % (pool.length - size)
          writeFileSync(join(rowDir, String(col)), pool.subarray(start, start + size))
          bytes += size
        }
      }
    }
    const baseline = ["-c", `find "${root}" -type f -print0 | xargs -0 md5sum > /dev/null`]
    timed("bash", baseline) // warms the page cache and dentry cache for both tools
    const md5sum = []
    const ours = []
    for (let round = 0; round < rounds; round++) {
      md5sum.push(timed("bash", baseline).seconds)
      const child = timed(process.execPath, [join(here, "zarr-child.mjs"), root])
      // `wall` includes Node start-up like the baseline's exec; `seconds` is the checksum alone.
      ours.push({ ...JSON.parse(child.stdout), wall: child.seconds })
    }
    const bestBaseline = Math.min(...md5sum)
    const best = ours.reduce((a, b) => (b.wall < a.wall ? b : a))
    const bestInside = Math.min(...ours.map((o) => o.seconds))
    return {
      "files": `${files + arrays} (${(bytes / 2 ** 20).toFixed(0)} MiB of chunks, 100 per directory)`,
      "page cache": "warm (one untimed baseline run first)",
      "find | xargs md5sum runs (s)": md5sum.map((s) => s.toFixed(2)).join(", "),
      "zarr-checksum runs, whole process (s)": ours.map((o) => o.wall.toFixed(2)).join(", "),
      "zarr-checksum runs, checksum only (s)": ours.map((o) => o.seconds.toFixed(2)).join(", "),
      "files/s find | xargs md5sum (best)": ((files + arrays) / bestBaseline).toFixed(0),
      "files/s zarr-checksum (best, whole process)": ((files + arrays) / best.wall).toFixed(0),
      "speed ratio zarr-checksum / md5sum (whole process, headline)": (bestBaseline / best.wall).toFixed(2),
      "speed ratio zarr-checksum / md5sum (checksum only)": (bestBaseline / bestInside).toFixed(2),
      "zarr-checksum peak RSS (MiB)": (Math.max(...ours.map((o) => o.maxRssKiB)) / 1024).toFixed(0),
      "zarr-checksum": best.checksum
    }
  } finally {
    cleanup()
  }
}
