// Listing a 20,000-asset dandiset under realistic server latency: `dandi-effect ls --json` (the
// CLI, metadata included, start-up included) and the library (`Stream.runCount(getAssets())`)
// against a dandi-cli-like baseline (listing-baseline.mjs), alternating, in the same run; the
// ideal time of our request plan; and peak RSS of `ls --json` at 20,000 and 100,000 assets.
import { spawn, spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { makeTempDir } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const bin = join(here, "../../packages/node/bin/dandi-effect.js")
const preload = pathToFileURL(join(here, "peak-rss.mjs")).href

export const name = "listing"
export const description =
  "ls --json of 20,000 assets under 100 ms + 0.1 ms/item latency vs a dandi-cli-like fetch baseline; peak RSS at 20k and 100k"

const delayed = "000099" // the timed listing: every API request to it is delayed
const small = "000098" // the same size without delay, for memory
const large = "000100" // 100,000 assets without delay, for memory

/** Starts the emulator; its stderr (one `fault:` line per delayed request) is kept in `faults`. */
const startEmulator = (seedFile, faultsFile) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "emulator", "--seed", seedFile, "--faults", faultsFile], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    const faults = []
    let out = ""
    let err = ""
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      err += chunk
      const lines = err.split("\n")
      err = lines.pop()
      faults.push(...lines)
    })
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk
      const match = /^API: (\S+)$/m.exec(out)
      if (match) resolve({ child, apiUrl: match[1], faults })
    })
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${faults.join("\n")}`)))
  })

/** Runs a command without blocking this process (the emulator's stderr is read meanwhile). */
const spawnTimed = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk))
    child.once("error", reject)
    child.once("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} failed (${code}): ${stderr}`))
      else resolve({ stdout, seconds })
    })
  })

/** Runs `ls --json TARGET` into a file; returns wall seconds, peak RSS (KiB) and the line count. */
const lsJson = async (apiUrl, target, dir, cli = bin) => {
  const output = join(dir, `ls-${target}.jsonl`)
  const rssFile = join(dir, "rss")
  const { seconds } = await spawnTimed(
    "sh",
    ["-c", `exec "$0" --import "$1" "$2" ls -i "$3" --json "$4" > "$5"`, process.execPath, preload, cli, apiUrl, `${target}/draft`, output],
    { env: { ...process.env, BENCH_RSS_FILE: rssFile } }
  )
  const lines = spawnSync("wc", ["-l", output], { encoding: "utf8" }).stdout
  return { seconds, maxRssKiB: Number(readFileSync(rssFile, "utf8")), lines: Number.parseInt(lines, 10) }
}

/**
 * Sum of the delays the emulator reported (one `fault:` line per delayed request, written when
 * the delay starts) while `action` ran, in milliseconds.
 */
const delaysDuring = async (faults, action) => {
  const before = faults.length
  const value = await action()
  await new Promise((resolve) => setTimeout(resolve, 300)) // the last lines still in the pipe
  const ms = faults.slice(before).reduce((sum, line) => sum + Number(/delay (\d+(?:\.\d+)?)ms/.exec(line)?.[1] ?? 0), 0)
  return { value, delayMs: ms, requests: faults.length - before }
}

const best = (runs) => Math.min(...runs)
const list = (runs) => runs.map((s) => s.toFixed(2)).join(", ")

export const run = async ({
  assets = Number(process.env.BENCH_LISTING_ASSETS ?? 20000),
  largeAssets = Number(process.env.BENCH_LISTING_LARGE ?? 100000),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3)
} = {}) => {
  if (largeAssets === assets) throw new Error("BENCH_LISTING_LARGE must differ from BENCH_LISTING_ASSETS")
  const { dir, cleanup } = makeTempDir("dandi-effect-bench-listing-")
  let emulator
  try {
    const seedFile = join(dir, "seed.json")
    const faultsFile = join(dir, "faults.json")
    writeFileSync(seedFile, JSON.stringify({
      dandisets: [
        { identifier: delayed, name: "delayed", synthetic: { assets } },
        { identifier: small, name: "small", synthetic: { assets } },
        { identifier: large, name: "large", synthetic: { assets: largeAssets } }
      ]
    }))
    writeFileSync(faultsFile, JSON.stringify({
      rules: [{ target: "api", pathPrefix: `/api/dandisets/${delayed}/`, action: "delay", delayMs: 100, perItemMs: 0.1 }]
    }))
    emulator = await startEmulator(seedFile, faultsFile)
    const { apiUrl, faults } = emulator
    const concurrency = (await import("../../packages/core/dist/DandiConfig.js")).defaults.pageConcurrency

    // BENCH_LISTING_COMPARE_BIN: another build's bin/dandi-effect.js (e.g. a copy made before a
    // change), whose `ls --json` is timed in the same rounds, for a before/after side by side.
    const compareBin = process.env.BENCH_LISTING_COMPARE_BIN
    const compared = []
    const baseline = []
    const cli = []
    const library = []
    let plan
    for (let round = 0; round < rounds; round++) {
      const base = await spawnTimed(process.execPath, [join(here, "listing-baseline.mjs"), apiUrl, delayed])
      const baseFigures = JSON.parse(base.stdout)
      if (baseFigures.count !== assets) throw new Error(`baseline listed ${baseFigures.count} of ${assets}`)
      baseline.push(base.seconds)
      const ours = await delaysDuring(faults, () => lsJson(apiUrl, delayed, dir))
      if (ours.value.lines !== assets + 1) throw new Error(`ls --json printed ${ours.value.lines} lines for ${assets} assets`)
      cli.push(ours.value.seconds)
      plan = ours
      if (compareBin !== undefined) {
        const other = await lsJson(apiUrl, delayed, dir, compareBin)
        if (other.lines !== assets + 1) throw new Error(`the compared ls --json printed ${other.lines} lines`)
        compared.push(other.seconds)
      }
      const lib = await spawnTimed(process.execPath, [join(here, "listing-child.mjs"), apiUrl, delayed])
      const libFigures = JSON.parse(lib.stdout)
      if (libFigures.count !== assets) throw new Error(`the library listed ${libFigures.count} of ${assets}`)
      library.push({ listing: libFigures.seconds, wall: lib.seconds })
    }
    // Tuning: the library's listing at other page concurrencies (BENCH_LISTING_CONCURRENCY=1,2,3,5).
    const tuning = {}
    for (const pages of (process.env.BENCH_LISTING_CONCURRENCY ?? "").split(",").filter((n) => n !== "")) {
      const times = []
      for (let round = 0; round < rounds; round++) {
        const lib = await spawnTimed(process.execPath, [join(here, "listing-child.mjs"), apiUrl, delayed], {
          env: { ...process.env, BENCH_PAGE_CONCURRENCY: pages }
        })
        times.push(JSON.parse(lib.stdout).seconds)
      }
      tuning[`library listing at ${pages} pages in flight, runs (s)`] = list(times)
    }
    // The ideal time of our plan: the server's delays, `concurrency` of them at a time.
    const ideal = plan.delayMs / 1000 / concurrency
    const smallRun = await lsJson(apiUrl, small, dir)
    const largeRun = await lsJson(apiUrl, large, dir)
    if (smallRun.lines !== assets + 1 || largeRun.lines !== largeAssets + 1) throw new Error("ls --json lost records")
    const rssSmall = smallRun.maxRssKiB / 1024
    const rssLarge = largeRun.maxRssKiB / 1024
    const bestCli = best(cli)
    const bestLibrary = best(library.map((l) => l.listing))
    return {
      "assets": `${assets}, server delay 100 ms + 0.1 ms per listed item per request`,
      "baseline (dandi-cli-like: 100-item pages, page 1 then 5 in flight) runs (s)": list(baseline),
      "ls --json, whole process, metadata included, runs (s)": list(cli),
      "library Stream.runCount(getAssets()), listing only, runs (s)": list(library.map((l) => l.listing)),
      "library, whole process, runs (s)": list(library.map((l) => l.wall)),
      "our request plan": `${plan.requests} requests, delays sum to ${(plan.delayMs / 1000).toFixed(2)} s, ${concurrency} pages in flight`,
      "ideal time of our plan (delays / page concurrency) (s)": ideal.toFixed(2),
      "**ls --json speed-up over the baseline (goal ≥ 2)**": (best(baseline) / bestCli).toFixed(2),
      "**ls --json time / ideal time of our plan (goal ≤ 1.25)**": (bestCli / ideal).toFixed(2),
      "library speed-up over the baseline, listing only": (best(baseline) / bestLibrary).toFixed(2),
      "library listing time / ideal time": (bestLibrary / ideal).toFixed(2),
      [`ls --json peak RSS, ${assets} assets, no delay (MiB)`]: rssSmall.toFixed(0),
      [`ls --json peak RSS, ${largeAssets} assets, no delay (MiB)`]: rssLarge.toFixed(0),
      "**peak RSS ratio large / small (goal ≤ 1.2; both < 150 MiB)**": (rssLarge / rssSmall).toFixed(2),
      ...(compareBin === undefined ? {} : {
        [`ls --json of ${compareBin}, runs (s)`]: list(compared),
        "ls --json, this build / the compared one (best runs)": (bestCli / best(compared)).toFixed(2)
      }),
      ...tuning
    }
  } finally {
    emulator?.child.kill("SIGTERM")
    cleanup()
  }
}
