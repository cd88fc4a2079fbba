/**
 * The built `dandi-effect` binary as the tests run it: a child process with its exit code and
 * everything it wrote, and no API key from the developer's environment unless a test gives one.
 *
 * `npm test` builds dist first (`tsc -b`); `ensureBuilt` builds only when dist is missing, because
 * rebuilding while another test file spawns the binary could expose it to half-written files.
 */
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const repo = fileURLToPath(new URL("../../../..", import.meta.url))

/** The binary's entry script. */
export const bin = join(repo, "packages/node/bin/dandi-effect.js")

/** Builds dist when it is missing; for a `beforeAll` (give it a few minutes). */
export const ensureBuilt = (): void => {
  const built = join(repo, "packages/node/dist/bin.js")
  if (!existsSync(built)) spawnSync("npx", ["tsc", "-b"], { cwd: repo, stdio: "ignore" })
  if (!existsSync(built)) throw new Error("npx tsc -b did not produce packages/node/dist")
}

/** How a run ended. */
export interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `dandi-effect ARGS…` to its end. `env` is added to the process's (DANDI_API_KEY emptied). */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly cwd?: string } = {}
): Effect.Effect<Outcome> =>
  Effect.promise(() =>
    new Promise<Outcome>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DANDI_API_KEY: "", ...options.env },
        ...(options.cwd === undefined ? {} : { cwd: options.cwd })
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("close", (code) => resolve({ code, stdout, stderr }))
    })
  )
