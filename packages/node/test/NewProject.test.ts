/**
 * A newcomer's first hour, replayed: the README's "Use it in your project" followed to the letter
 * in a fresh temporary project, with the packages packed by `npm pack` standing in for the
 * registry's. The README's own install commands run (our package names swapped for the tarballs),
 * its tsconfig.json and every TypeScript block of the README are written where their first line
 * says, the project type-checks, has one copy of `effect`, runs the first program against the
 * emulator the installed CLI serves, and passes the README's emulator-backed test.
 */
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const readme = readFileSync(join(repo, "README.md"), "utf8")

/** The README's fenced code blocks in `language`, in order. */
const blocks = (language: string): Array<string> =>
  [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].filter((match) => match[1] === language).map((match) => match[2]!)

/** npm as a user runs it: without the variables `npm test` sets for its own scripts. */
const userEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== "INIT_CWD") env[key] = value
  }
  return { ...env, DANDI_API_KEY: "", NO_COLOR: "1", ...extra }
}

/** Runs `command` in a shell; asynchronous, so that vitest's worker stays responsive meanwhile. */
const sh = (cwd: string, command: string, env: NodeJS.ProcessEnv = userEnv()) =>
  new Promise<{ readonly status: number | null; readonly output: string }>((resolve) => {
    const child = spawn("sh", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
    child.once("close", (status) => resolve({ status, output }))
  })

const expectSuccess = (result: { readonly status: number | null; readonly output: string }, what: string) => {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.output.slice(-4000)}`)
}

/** Starts the installed `dandi-effect emulator --seed demo`; its API URL and a way to stop it. */
const startEmulator = (cwd: string) =>
  new Promise<{ readonly apiUrl: string; readonly stop: () => void }>((resolve, reject) => {
    const child = spawn(join(cwd, "node_modules/.bin/dandi-effect"), ["emulator", "--seed", "demo"], {
      cwd,
      env: userEnv(),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let seen = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk
      const match = /^API: (\S+)$/m.exec(seen)
      if (match !== null) resolve({ apiUrl: match[1]!, stop: () => child.kill("SIGTERM") })
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (seen += chunk))
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before serving:\n${seen}`)))
  })

describe("the README's 'Use it in your project', in a fresh project", () => {
  it("installs the packed packages with the README's command, type-checks, runs the first program and the test", {
    timeout: 900_000
  }, async () => {
    const project = mkdtempSync(join(tmpdir(), "dandi-effect-newcomer-"))
    try {
      const packs = join(project, ".packs")
      mkdirSync(packs)
      expectSuccess(
        await sh(repo, `npm pack --silent -w packages/core -w packages/node --pack-destination "${packs}"`),
        "npm pack"
      )
      const tarball = (name: string) => join(packs, readdirSync(packs).find((file) => file.startsWith(`dandi-effect-${name}-`))!)

      const install = blocks("sh").find((block) => block.includes("npm install @dandi-effect/core"))
      expect(install, "the README's install block").toBeDefined()
      for (const line of install!.split("\n").filter((text) => text.startsWith("npm "))) {
        const command = line
          .replace(/@dandi-effect\/(core|node)@\S+/g, (_spec, name: string) => `"${tarball(name)}"`)
          .replace(/npm install /, "npm install --prefer-offline --no-audit --no-fund ")
        expectSuccess(await sh(project, command), line)
      }

      const [tsconfig] = blocks("json")
      writeFileSync(join(project, "tsconfig.json"), tsconfig!)
      const sources = blocks("ts")
      expect(sources.length).toBeGreaterThanOrEqual(2)
      for (const source of sources) {
        // Every TypeScript block names its file, so every one is compiled and run here.
        const path = /^\/\/ ([\w./-]+\.ts):/.exec(source)?.[1]
        expect(path, `first line of a README TypeScript block: ${source.split("\n")[0]}`).toBeDefined()
        mkdirSync(dirname(join(project, path!)), { recursive: true })
        writeFileSync(join(project, path!), source)
      }

      expectSuccess(await sh(project, "npx tsc"), "npx tsc")

      const effects = await sh(project, "npm ls effect --all --parseable")
      expect(new Set(effects.output.trim().split("\n").filter((line) => line.includes("node_modules"))).size).toBe(1)

      const emulator = await startEmulator(project)
      try {
        const run = await sh(project, "node dist/src/main.js 000001", userEnv({ DANDI_INSTANCE: emulator.apiUrl }))
        expectSuccess(run, "node dist/src/main.js 000001")
        const printed = run.output.trim().split("\n")
        expect(printed).toContain(`README.md ${new TextEncoder().encode(DemoSeed.demoReadme).length}`)
        for (const blob of DemoSeed.demoBlobs) expect(printed).toContain(`${blob.path} ${blob.size}`)
      } finally {
        emulator.stop()
      }

      const tests = await sh(project, "npx vitest run")
      expectSuccess(tests, "npx vitest run")
      expect(tests.output).toMatch(/Tests\s+1 passed/)
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})
