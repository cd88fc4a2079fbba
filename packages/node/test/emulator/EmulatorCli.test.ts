/**
 * The `dandi-effect emulator` command line contract, on the built binary (run `npx tsc -b` first):
 * first stdout line `API: http://127.0.0.1:N/api`, serving until SIGTERM, then exit 0; bad seed or
 * fault files end with exit 1 and one stderr line naming the field.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../bin/dandi-effect.js", import.meta.url))

const start = (args: ReadonlyArray<string>) => spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })

const firstLine = (child: ChildProcess) =>
  new Promise<string>((resolve, reject) => {
    let buffered = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      buffered += chunk
      const newline = buffered.indexOf("\n")
      if (newline >= 0) resolve(buffered.slice(0, newline))
    })
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a line`)))
  })

const finished = (child: ChildProcess) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    let stderr = ""
    child.stderr!.setEncoding("utf8")
    child.stderr!.on("data", (chunk: string) => {
      stderr += chunk
    })
    child.once("exit", (code) => resolve({ code, stderr }))
  })

const tempFile = (name: string, content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "dandi-effect-cli-")), name)
  writeFileSync(path, content)
  return path
}

describe("dandi-effect emulator", () => {
  it.live("prints the API URL first, serves the demo to --token users, and exits 0 on SIGTERM", () =>
    Effect.promise(async () => {
      const child = start(["emulator", "--port", "0", "--seed", "demo", "--token", "T"])
      const exit = finished(child)
      const line = await firstLine(child)
      expect(line).toMatch(/^API: http:\/\/127\.0\.0\.1:\d+\/api$/)
      const apiUrl = line.slice("API: ".length)
      const me = await fetch(`${apiUrl}/users/me/`, { headers: { authorization: "token T" } }).then((r) => r.json())
      expect(me).toMatchObject({ username: "user-1" })
      const owners = await fetch(`${apiUrl}/dandisets/000002/users/`).then((r) => r.json()) as Array<{ username: string }>
      expect(owners.map((owner) => owner.username)).toContain("user-1")
      child.kill("SIGTERM")
      expect((await exit).code).toBe(0)
    }))

  it.live("exits 0 on SIGINT too", () =>
    Effect.promise(async () => {
      const child = start(["emulator"])
      const exit = finished(child)
      expect(await firstLine(child)).toMatch(/^API: /)
      child.kill("SIGINT")
      expect((await exit).code).toBe(0)
    }))

  it.live("reports each injected fault as one stderr line starting with fault:", () =>
    Effect.promise(async () => {
      const plan = { rules: [{ target: "api", pathPrefix: "/api/info/", action: "status", status: 503, times: 1 }] }
      const child = start(["emulator", "--faults", JSON.stringify(plan)])
      const exit = finished(child)
      const apiUrl = (await firstLine(child)).slice("API: ".length)
      expect((await fetch(`${apiUrl}/info/`)).status).toBe(503)
      expect((await fetch(`${apiUrl}/info/`)).status).toBe(200)
      child.kill("SIGTERM")
      const { code, stderr } = await exit
      expect(code).toBe(0)
      const faultLines = stderr.split("\n").filter((line) => line.startsWith("fault:"))
      expect(faultLines).toHaveLength(1)
      expect(faultLines[0]).toContain("status 503")
    }))

  it.live("fails a bad seed file with one line naming the field, exit 1", () =>
    Effect.promise(async () => {
      const seed = tempFile(
        "seed.json",
        JSON.stringify({
          users: [{ username: "alice" }],
          dandisets: [{ name: "x", owners: ["alice"], assets: [{ path: "a.txt", text: "a" }, { path: "b.bin" }] }]
        })
      )
      const { code, stderr } = await finished(start(["emulator", "--port", "0", "--seed", seed]))
      expect(code).toBe(1)
      const lines = stderr.trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain("seed file: dandisets[0].assets[1]: expected one of text, base64 or size+seed")
    }))

  it.live("fails a bad faults file with one line naming the field, exit 1", () =>
    Effect.promise(async () => {
      const faults = tempFile("faults.json", JSON.stringify({ rules: [{ target: "api", action: "explode" }] }))
      const { code, stderr } = await finished(start(["emulator", "--port", "0", "--faults", faults]))
      expect(code).toBe(1)
      expect(stderr.trim().split("\n")).toHaveLength(1)
      expect(stderr).toContain("faults file: rules[0].action: expected one of status, reset")
    }))

  it.live("fails a missing seed file with one line saying which file, exit 1", () =>
    Effect.promise(async () => {
      const missing = join(tmpdir(), "dandi-effect-no-such-seed.json")
      const { code, stderr } = await finished(start(["emulator", "--seed", missing]))
      expect(code).toBe(1)
      expect(stderr.trim().split("\n")).toHaveLength(1)
      expect(stderr).toContain(`seed file ${missing}: cannot read it`)
    }))
})

describe("dandi-effect demo", () => {
  // The full walkthrough (step order, every verification, the key never printed) is in Demo.test.ts.
  it.live("starts the demo archive on loopback, shows verified downloads, and exits 0", () =>
    Effect.promise(async () => {
      const child = start(["demo"])
      let stdout = ""
      child.stdout!.setEncoding("utf8")
      child.stdout!.on("data", (chunk: string) => {
        stdout += chunk
      })
      const { code } = await finished(child)
      expect(code).toBe(0)
      expect(stdout).toMatch(/^ {3}API http:\/\/127\.0\.0\.1:\d+\/api, /m)
      expect(stdout).toContain("000001")
      expect(stdout).toMatch(/sha256 [0-9a-f]+… verified/)
    }))
})
