/**
 * How `download` shows its events: a progress bar per file in flight on a terminal
 * (cli-progress, redrawn at most ten times a second), nothing but the noteworthy lines when
 * piped, and the counts for the summary either way.
 */
import type { FileEvent } from "../NodeDownload.js"
import * as cliProgress from "cli-progress"

/**
 * 1536 → "1.5 KiB".
 *
 * @since 0.1.0
 * @category utils
 */
export const formatBytes = (bytes: number): string => {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly files: number
  readonly failed: number
  readonly firstFailure: string
  readonly line: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly onEvent: (event: FileEvent) => void
  readonly stop: () => void
  readonly summary: () => Summary
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim()

/**
 * Progress bars on `stream` when it is a terminal; plain lines otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (stream: NodeJS.WriteStream): Progress => {
  const interactive = stream.isTTY === true
  const bars = interactive
    ? new cliProgress.MultiBar({
      stream,
      format: " {bar} {percentage}% | {done} of {total_size} | {name}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
      autopadding: true
    }, cliProgress.Presets.shades_classic)
    : undefined
  const active = new Map<string, cliProgress.SingleBar>()
  let completed = 0
  let bytes = 0
  let resumedBytes = 0
  let skipped = 0
  let failed = 0
  let firstFailure = ""
  // Above the bars on a terminal, plain lines on stderr otherwise.
  const say = (line: string) => {
    if (bars !== undefined) bars.log(`${line}\n`)
    else stream.write(`${line}\n`)
  }
  const finishBar = (name: string) => {
    const bar = active.get(name)
    if (bar !== undefined && bars !== undefined) bars.remove(bar)
    active.delete(name)
  }

  const onEvent = (event: FileEvent) => {
    switch (event._tag) {
      case "Started":
        if (event.resumedFrom > 0) say(`resuming ${event.name} from ${formatBytes(event.resumedFrom)}`)
        if (bars !== undefined) {
          active.set(
            event.name,
            bars.create(Math.max(1, event.size), event.resumedFrom, {
              name: event.name,
              done: formatBytes(event.resumedFrom),
              total_size: formatBytes(event.size)
            })
          )
        }
        break
      case "Progress":
        active.get(event.name)?.update(event.done, { done: formatBytes(event.done) })
        break
      case "Retrying":
        say(`${event.name}: ${event.reason}; retrying from ${formatBytes(event.offset)} (attempt ${event.attempt} of ${event.attempts})`)
        break
      case "Restarted":
        say(`${event.name}: ${event.reason}; the bytes were discarded, downloading again`)
        break
      case "Completed":
        completed += 1
        bytes += event.size
        resumedBytes += event.resumedFrom
        finishBar(event.name)
        break
      case "Skipped":
        skipped += 1
        finishBar(event.name)
        break
      case "Failed": {
        failed += 1
        const message = oneLine(event.error.message)
        if (firstFailure === "") firstFailure = `${event.name}: ${message}`
        finishBar(event.name)
        say(`dandi-effect: ${event.name}: ${message}`)
        break
      }
    }
  }

  return {
    onEvent,
    stop: () => bars?.stop(),
    summary: () => {
      const files = completed + skipped + failed
      const resumed = resumedBytes > 0 ? ` (${formatBytes(resumedBytes)} of it from earlier runs)` : ""
      return {
        files,
        failed,
        firstFailure,
        line: `Downloaded ${completed} file${completed === 1 ? "" : "s"}, ${formatBytes(bytes)}${resumed}; skipped ${skipped}; failed ${failed}`
      }
    }
  }
}
