// Helpers shared by the benches: timing external commands, temp files, machine description.
import { spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"

export const MiB = 2 ** 20

/** Run a command, returning stdout and wall seconds; throws with stderr on failure. */
export const timed = (command, args, options = {}) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28, ...options })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr || result.error}`)
  return { stdout: result.stdout, seconds }
}

/** A temp directory and a cleanup function (called even when the bench fails). */
export const makeTempDir = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Write `size` bytes of incompressible data (a random 16 MiB block, each copy perturbed). */
export const writeRandomFile = (path, size) => {
  const block = randomBytes(16 * MiB)
  const fd = openSync(path, "w")
  try {
    for (let written = 0, n = 0; written < size; n++) {
      block.writeUInt32LE(n, 0)
      const length = Math.min(block.length, size - written)
      writeSync(fd, block, 0, length)
      written += length
    }
  } finally {
    closeSync(fd)
  }
}

/** Read a file once so it sits in the page cache before anything is timed. */
export const warm = (path) => {
  const buffer = Buffer.allocUnsafe(16 * MiB)
  const fd = openSync(path, "r")
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd)
  }
}

export const machine = () => {
  const cpuList = cpus()
  let model = cpuList[0]?.model ?? "unknown"
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)
    if (info) model = info[1]
  } catch {
    // No /proc/cpuinfo (not Linux): os.cpus()'s model stays.
  }
  // Load average matters: other processes on a 2-core machine take cores from both tools.
  const load = loadavg().map((l) => l.toFixed(2)).join(" ")
  return { cpu: model, cores: cpuList.length, node: process.version, date: new Date().toISOString(), load }
}

export const mbps = (bytes, seconds) => bytes / 1e6 / seconds

/** The CLI the benches run, as users run it. */
export const cliBin = new URL("../../packages/node/bin/dandi-effect.js", import.meta.url).pathname

/** Starts `dandi-effect emulator ARGS…` and resolves once it prints its API URL. */
export const startEmulator = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, "emulator", ...args], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk
      const match = /^API: (\S+)$/m.exec(out)
      if (match) resolve({ child, apiUrl: match[1] })
    })
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)))
  })
