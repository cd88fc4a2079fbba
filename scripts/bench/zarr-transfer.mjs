// Upload then download of a 20,000-file zarr (BENCH_ZARR_TRANSFER_FILES) over loopback with the
// SDK, against an ideal request plan sent by a bare `fetch` loop in the same run: the same
// presign requests (255 entries each) and the same PUTs and GETs at the same concurrency, with
// no diffing, verification, checksum or resumability. The emulator is a separate process,
// started afresh for each side, so its memory is not ours.
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeTempDir, startEmulator, timed } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const token = "0123456789abcdef0123456789abcdefbench0002"
const JOBS = 5

export const name = "zarr-transfer"
export const description =
  "upload and download of a 20,000-file zarr (BENCH_ZARR_TRANSFER_FILES) over loopback vs a bare fetch loop of the same requests"

const api = async (apiUrl, method, path, body) => {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  if (response.status >= 300 && response.status < 400) {
    // Drained, so that the connection is reused.
    await response.arrayBuffer()
    return response.headers.get("location")
  }
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.status === 204 ? undefined : response.json()
}

const newDandiset = (apiUrl) =>
  api(apiUrl, "POST", "/dandisets/?embargo=false", { name: "Zarr bench", metadata: { description: "bench", license: ["spdx:CC-BY-4.0"] } })

/** Runs `work` over `items` with `jobs` at once. */
const pool = async (items, jobs, work) => {
  let next = 0
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < items.length) await work(items[next++])
  }))
}

/**
 * The ideal plan: presign in batches of 255, PUT each entry; then, per entry, the redirect (a GET
 * answered by a 302, as the SDK asks it: undici closes the connection after every HEAD) and the
 * storage GET.
 */
const baseline = async (apiUrl, root, paths, out) => {
  const dandiset = await newDandiset(apiUrl)
  const zarr = await api(apiUrl, "POST", "/zarr/", { name: "baseline.zarr", dandiset: dandiset.identifier })
  const started = performance.now()
  for (let at = 0; at < paths.length; at += 255) {
    const batch = paths.slice(at, at + 255).map((path) => {
      const bytes = readFileSync(join(root, path))
      return { path, bytes, base64md5: createHash("md5").update(bytes).digest("base64") }
    })
    const urls = await api(apiUrl, "POST", `/zarr/${zarr.zarr_id}/files/`, batch.map(({ base64md5, path }) => ({ path, base64md5 })))
    await pool(batch.map((item, i) => ({ ...item, url: urls[i] })), JOBS, async (item) => {
      const response = await fetch(item.url, { method: "PUT", body: item.bytes, headers: { "content-md5": item.base64md5 } })
      if (!response.ok) throw new Error(`PUT ${item.path}: ${response.status}`)
      await response.arrayBuffer()
    })
  }
  const between = performance.now()
  await pool(paths, JOBS, async (path) => {
    const location = await api(apiUrl, "GET", `/zarr/${zarr.zarr_id}/files/?prefix=${encodeURIComponent(path)}&download=true`)
    const response = await fetch(location)
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
    const target = join(out, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, new Uint8Array(await response.arrayBuffer()))
  })
  const ended = performance.now()
  return { upload: (between - started) / 1000, download: (ended - between) / 1000 }
}

export const run = async ({ files = Number(process.env.BENCH_ZARR_TRANSFER_FILES ?? 20_000) } = {}) => {
  if (!existsSync(join(here, "../../packages/node/dist/LocalZarr.js"))) {
    throw new Error("packages/node/dist is missing: run `npx tsc -b` first")
  }
  const { cleanup, dir } = makeTempDir("dandi-effect-bench-zarr-transfer-")
  try {
    // OME-Zarr-like: 4 arrays, chunks under c/<row>/<col>, 100 per directory, 1–4 KiB each.
    const root = join(dir, "bench.ome.zarr")
    const paths = [".zgroup"]
    writeFileSync((mkdirSync(root, { recursive: true }), join(root, ".zgroup")), "{\"zarr_format\":2}")
    let bytes = 0
    for (let i = 0; i < files - 1; i++) {
      const path = `${i % 4}/c/${Math.floor(i / 400)}/${Math.floor(i / 4) % 100}`
      const size = 1024 + ((i * 2654435761) % 3072)
      const content = Buffer.alloc(size, i % 251)
      content.writeUInt32LE(i, 0)
      mkdirSync(join(root, dirname(path)), { recursive: true })
      writeFileSync(join(root, path), content)
      paths.push(path)
      bytes += size
    }
    const ideal = await (async () => {
      const { apiUrl, child } = await startEmulator(["--token", token])
      try {
        return await baseline(apiUrl, root, paths, join(dir, "baseline-out"))
      } finally {
        child.kill("SIGTERM")
      }
    })()
    const ours = await (async () => {
      const { apiUrl, child } = await startEmulator(["--token", token])
      try {
        const dandiset = await newDandiset(apiUrl)
        const result = timed(process.execPath, [
          join(here, "zarr-transfer-child.mjs"),
          apiUrl,
          token,
          dandiset.identifier,
          root,
          join(dir, "sdk-out"),
          String(JOBS)
        ])
        return { ...JSON.parse(result.stdout), wall: result.seconds }
      } finally {
        child.kill("SIGTERM")
      }
    })()
    if (ours.checksum !== ours.downloadedChecksum) throw new Error("the downloaded zarr's checksum differs from the uploaded one")
    return {
      "files": `${files} (${(bytes / 2 ** 20).toFixed(0)} MiB), ${JOBS} requests in flight on both sides`,
      "upload files/s, SDK (diff, MD5, presign, PUT, finalize, checksum wait)": (files / ours.uploadSeconds).toFixed(0),
      "upload files/s, bare fetch loop (presign, PUT)": (files / ideal.upload).toFixed(0),
      "upload ratio SDK / bare": (ideal.upload / ours.uploadSeconds).toFixed(2),
      "download files/s, SDK (redirect, GET, MD5 verify, write, extras, checksum)": (files / ours.downloadSeconds).toFixed(0),
      "download files/s, bare fetch loop (redirect, GET, write)": (files / ideal.download).toFixed(0),
      "download ratio SDK / bare": (ideal.download / ours.downloadSeconds).toFixed(2),
      "SDK process wall (s)": ours.wall.toFixed(1),
      "SDK peak RSS (MiB)": (ours.maxRssKiB / 1024).toFixed(0),
      "zarr checksum (both sides)": ours.checksum
    }
  } finally {
    cleanup()
  }
}
