/**
 * Command-line usage errors through the real binary: @effect/cli explains what was wrong, and the
 * process exits 1 without adding a line of its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "packages/node/bin/dandi-effect.js")

const run = (...args: Array<string>) => {
  if (!existsSync(join(repo, "packages/node/dist/bin.js"))) spawnSync("npx", ["tsc", "-b"], { cwd: repo, stdio: "ignore" })
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe("dandi-effect usage errors", () => {
  it("an unknown digest algorithm names the valid ones and exits 1", () => {
    const { output, status } = run("digest", "-d", "crc32", "README.md")
    expect(status).toBe(1)
    expect(output).toContain("dandi-etag, md5, sha1, sha256, sha512, zarr-checksum")
    expect(output).not.toContain("[object Object]")
  })

  it("an unknown subcommand lists the real ones and exits 1", () => {
    const { output, status } = run("upload-everything")
    expect(status).toBe(1)
    expect(output).toContain("'digest'")
    expect(output).not.toContain("[object Object]")
  })

  it("a missing argument says which and exits 1", () => {
    const { output, status } = run("digest")
    expect(status).toBe(1)
    expect(output).toContain("PATH")
  })
})
