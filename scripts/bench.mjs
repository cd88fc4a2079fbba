// `npm run bench [NAME…]`: runs the registered benchmarks (all by default) and prints each one's
// figures next to the machine they ran on. Each bench measures its own baseline in the same run.
// To add a bench, create scripts/bench/<name>.mjs exporting `name`, `description` and
// `run(): Promise<Record<string, string>>`, and list it in `benches` below.
import { machine } from "./bench/common.mjs"

const benches = [
  await import("./bench/digest.mjs"),
  await import("./bench/zarr.mjs"),
  await import("./bench/zarr-transfer.mjs"),
  await import("./bench/download.mjs"),
  await import("./bench/upload.mjs"),
  await import("./bench/listing.mjs"),
  await import("./bench/startup.mjs"),
  await import("./bench/browser-md5.mjs")
]

const wanted = process.argv.slice(2)
const selected = wanted.length === 0 ? benches : benches.filter((b) => wanted.includes(b.name))
if (selected.length === 0) {
  console.error(`unknown bench ${wanted.join(", ")}; available: ${benches.map((b) => b.name).join(", ")}`)
  process.exit(1)
}

const info = machine()
console.log(`machine: ${info.cpu}, ${info.cores} cores, node ${info.node}, ${info.date}, load average ${info.load}`)
let failed = false
for (const bench of selected) {
  console.log(`\n## ${bench.name}: ${bench.description}`)
  try {
    const figures = await bench.run()
    figures["load average after"] = machine().load
    for (const [key, value] of Object.entries(figures)) console.log(`  ${key}: ${value}`)
  } catch (error) {
    failed = true
    console.error(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
  }
}
process.exitCode = failed ? 1 : 0
