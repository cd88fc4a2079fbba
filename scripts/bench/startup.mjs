// Start-up: `dandi-effect --help` and `dandi-effect digest` of a small file against `node -e 0`,
// alternating, best of BENCH_STARTUP_ROUNDS each; and what importing the libraries costs.
import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { makeTempDir } from "./common.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const bin = join(here, "../../packages/node/bin/dandi-effect.js")
const importOf = (path) => ["--input-type=module", "-e", `import ${JSON.stringify(pathToFileURL(join(here, "../..", path)).href)}`]

export const name = "startup"
export const description = "dandi-effect --help and digest of a small file vs node -e 0; the libraries' import cost"

const wall = (args) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}

export const run = async ({ rounds = Number(process.env.BENCH_STARTUP_ROUNDS ?? 15) } = {}) => {
  const { dir, cleanup } = makeTempDir("dandi-effect-bench-startup-")
  try {
    const small = join(dir, "small.txt")
    writeFileSync(small, "a small file\n")
    const subjects = {
      "node -e 0": ["-e", "0"],
      "dandi-effect --help": [bin, "--help"],
      "dandi-effect digest SMALL_FILE": [bin, "digest", small],
      "import @dandi-effect/core (all of it)": importOf("packages/core/dist/index.js"),
      "import @dandi-effect/node (all of it)": importOf("packages/node/dist/index.js")
    }
    const runs = Object.fromEntries(Object.keys(subjects).map((key) => [key, []]))
    for (let round = 0; round < rounds; round++) {
      for (const [key, args] of Object.entries(subjects)) runs[key].push(wall(args))
    }
    const best = Object.fromEntries(Object.entries(runs).map(([key, times]) => [key, Math.min(...times)]))
    const node = best["node -e 0"]
    const figures = { "rounds (alternating; best of each)": String(rounds) }
    for (const [key, ms] of Object.entries(best)) {
      figures[`${key} (ms)`] = `${ms.toFixed(0)} (median ${median(runs[key]).toFixed(0)})`
    }
    figures["**--help / node -e 0 (goal ≤ 3)**"] = (best["dandi-effect --help"] / node).toFixed(2)
    figures["**digest / node -e 0 (goal ≤ 3)**"] = (best["dandi-effect digest SMALL_FILE"] / node).toFixed(2)
    figures["import core / node -e 0"] = (best["import @dandi-effect/core (all of it)"] / node).toFixed(2)
    figures["import node / node -e 0"] = (best["import @dandi-effect/node (all of it)"] / node).toFixed(2)
    return figures
  } finally {
    cleanup()
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
