// Preloaded (`node --import`) into a process whose peak RSS a bench reports: writes
// `process.resourceUsage().maxRSS` (KiB) to $BENCH_RSS_FILE when the process exits.
import { writeFileSync } from "node:fs"

process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS))
})
