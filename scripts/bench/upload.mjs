// Uploading a 1 GiB file (BENCH_UPLOAD_MIB) to the loopback emulator with the SDK (hashing,
// initialize, 16 parts of 64 MiB in parallel, complete, validate, asset) against `curl -T` of the
// same bytes as one presigned PUT to the emulator's object store, in the same run. Each round
// starts a fresh emulator process (it keeps objects in memory), so its memory is not ours.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { createReadStream, existsSync, openSync, writeSync, closeSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeTempDir, mbps, MiB, startEmulator, timed, warm, writeRandomFile } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const token = "0123456789abcdef0123456789abcdefbench0001"

export const name = "upload"
export const description = "upload of 1 GiB (BENCH_UPLOAD_MIB) to the loopback emulator vs curl -T of one presigned PUT"

const api = async (apiUrl, method, path, body) => {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

const md5Base64 = (path) =>
  new Promise((resolve, reject) => {
    const hash = createHash("md5")
    createReadStream(path).on("data", (chunk) => hash.update(chunk)).on("end", () => resolve(hash.digest("base64"))).on(
      "error",
      reject
    )
  })

/** Makes the file's content unique to the round (the archive would dedup a repeat). */
const perturb = (path, round) => {
  const fd = openSync(path, "r+")
  try {
    writeSync(fd, Buffer.from(`round ${round} ${Date.now()}`), 0, undefined, 0)
  } finally {
    closeSync(fd)
  }
}

export const run = async ({ mib = Number(process.env.BENCH_UPLOAD_MIB ?? 1024), rounds = Number(process.env.BENCH_ROUNDS ?? 3) } = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/bin.js"))) throw new Error("packages/node/dist is missing: run `npx tsc -b` first")
  if (spawnSync("curl", ["--version"]).status !== 0) throw new Error("curl is needed as the baseline")
  const size = mib * MiB
  const { cleanup, dir } = makeTempDir("dandi-effect-bench-upload-")
  const file = join(dir, "upload.bin")
  const curl = []
  const ours = []
  try {
    writeRandomFile(file, size)
    for (let round = 0; round < rounds; round++) {
      const { apiUrl, child } = await startEmulator(["--token", token])
      try {
        const dandiset = await api(apiUrl, "POST", "/dandisets/?embargo=false", {
          name: "Upload bench",
          metadata: { description: "bench", license: ["spdx:CC-BY-4.0"] }
        })
        // Baseline: the same bytes as one presigned PUT (a zarr entry URL), sent by curl.
        perturb(file, round * 2)
        warm(file)
        const zarr = await api(apiUrl, "POST", "/zarr/", { name: "bench.zarr", dandiset: dandiset.identifier })
        const base64md5 = await md5Base64(file)
        const [uploadUrl] = await api(apiUrl, "POST", `/zarr/${zarr.zarr_id}/files/`, [{ path: "blob", base64md5 }])
        curl.push(
          timed("curl", ["-sS", "-f", "-o", "/dev/null", "-H", `Content-MD5: ${base64md5}`, "-T", file, uploadUrl]).seconds
        )
        // Ours: the whole upload, hashing included.
        perturb(file, round * 2 + 1)
        warm(file)
        const result = timed(process.execPath, [join(here, "upload-child.mjs"), apiUrl, token, dandiset.identifier, file, "bench/upload.bin"])
        ours.push({ ...JSON.parse(result.stdout), wall: result.seconds })
      } finally {
        child.kill("SIGTERM")
      }
    }
  } finally {
    cleanup()
  }
  const bestCurl = Math.min(...curl)
  const bestWhole = Math.min(...ours.map((o) => o.seconds))
  const bestTransfer = Math.min(...ours.map((o) => o.transferSeconds))
  return {
    "size": `${mib} MiB (incompressible, warm page cache), fresh emulator per round`,
    "curl -T runs (s)": curl.map((s) => s.toFixed(2)).join(", "),
    "upload runs, whole (s)": ours.map((o) => o.seconds.toFixed(2)).join(", "),
    "upload runs, hashing (s)": ours.map((o) => o.hashSeconds.toFixed(2)).join(", "),
    "upload runs, after hashing (s)": ours.map((o) => o.transferSeconds.toFixed(2)).join(", "),
    "curl MB/s (best)": mbps(size, bestCurl).toFixed(0),
    "upload MB/s, whole (best)": mbps(size, bestWhole).toFixed(0),
    "throughput ratio upload / curl, whole incl. hashing (headline)": (bestCurl / bestWhole).toFixed(2),
    "throughput ratio upload / curl, after hashing": (bestCurl / bestTransfer).toFixed(2),
    "upload peak RSS (MiB)": (Math.max(...ours.map((o) => o.maxRssKiB)) / 1024).toFixed(0)
  }
}
