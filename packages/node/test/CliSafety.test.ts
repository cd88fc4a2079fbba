/**
 * The CLI under hostile conditions, through the real binary (run `npx tsc -b` first) against two
 * loopback emulators: archive A (the user's) and archive B (a host met in a pasted link).
 *
 * - An API key goes only to the instance the user chose (-i / DANDI_INSTANCE); a target on
 *   another host is refused; a pasted host without -i gets no key. B holds an embargoed dandiset
 *   owned by the key's user, so whether B ever saw the key is observable in what ls can list.
 * - Whatever the server sends (asset paths, names) reaches the terminal with its control
 *   characters shown visibly; --json stays exact.
 * - SIGINT / SIGTERM mid-listing exit 130 / 143; a closed stdout ends the command quietly (141).
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as YAML from "yaml"

const bin = fileURLToPath(new URL("../bin/dandi-effect.js", import.meta.url))

const key = "0123456789abcdef0123456789abcdef0badc0de"

const hostilePaths = [
  "sub-1/\u001b]0;pwned\u0007title.nwb",
  "sub-1/clear\u001b[2J\u001b[Hscreen.nwb",
  "sub-1/carriage\rreturn.nwb",
  "sub-1/new\nline.nwb",
  "sub-1/nul\u0000byte.nwb",
  "sub-1/c1\u009b31mcsi.nwb",
  "sub-1/bidi\u202egnp.exe"
]

/** Delay on A's asset pages of 000001, so that a listing is in flight when a test interrupts it. */
const slowAssets = {
  rules: [{ target: "api" as const, pathPrefix: "/api/dandisets/000001/versions/draft/assets/", action: "delay" as const, delayMs: 4000 }]
}

const blobId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`

class Archives extends Context.Tag("test/Archives")<Archives, { readonly a: string; readonly b: string }>() {}

const archives = Layer.scoped(
  Archives,
  Effect.gen(function*() {
    const a = yield* LoopbackServer.make({
      faults: slowAssets,
      seed: (admin) =>
        Effect.gen(function*() {
          yield* admin.createDandiset({ identifier: "000001", name: "Slow listing", owners: [] })
          for (let i = 0; i < 3; i++) {
            yield* admin.addRecordAsset("000001", { blob: blobId(i), path: `r/${i}.nwb`, size: 1, metadata: { path: `r/${i}.nwb` } })
          }
          yield* admin.createDandiset({ identifier: "000002", name: "Hostile\u001b[31m names", owners: [] })
          for (const [i, path] of hostilePaths.entries()) {
            yield* admin.addRecordAsset("000002", { blob: blobId(100 + i), path, size: 1, metadata: { path } })
          }
        })
    })
    const b = yield* LoopbackServer.make({
      seed: (admin) =>
        Effect.gen(function*() {
          yield* admin.addUser({ username: "victim", token: key })
          yield* admin.createDandiset({ identifier: "000001", name: "Only with the key", owners: ["victim"], embargoed: true })
        })
    })
    return { a: a.apiUrl, b: b.apiUrl }
  })
).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const start = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DANDI_API_KEY: "", DANDI_INSTANCE: "", ...env }
  })

/** Runs the binary to its end; `whenOutput` may act on the child once stdout has something. */
const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  whenOutput?: (child: ChildProcess) => void
) =>
  Effect.promise(() =>
    new Promise<Outcome>((resolve) => {
      const child = start(args, env)
      let stdout = ""
      let stderr = ""
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        const first = stdout === ""
        stdout += chunk
        if (first) whenOutput?.(child)
      })
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("close", (code) => resolve({ code, stdout, stderr }))
    })
  )

/** Each test starts Node once or twice; on a loaded machine that alone can take many seconds. */
const slow = 120_000

const lines = (text: string) => text.split("\n").filter((line) => line.length > 0)

/** C0 controls but the line feeds that end lines, DEL, C1 controls, bidi overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

const wellFormed = (message: string) => {
  expect(message).not.toMatch(/\.\.(?!\.)/)
  expect(message).not.toMatch(/[ \t]\n/)
  expect(message).not.toMatch(rawControl)
}

layer(archives, { excludeTestServices: true, timeout: 120_000 })("dandi-effect CLI safety", (it) => {
  describe("the API key goes only to the chosen instance", () => {
    it.effect("-i A with a target on B: refused, naming both, before B is asked anything", () =>
      Effect.gen(function*() {
        const { a, b } = yield* Archives
        const result = yield* run(["ls", "-i", a, "--json", `${b}/dandisets/000001/`], { DANDI_API_KEY: key })
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain(b.replace(/\/api$/, ""))
        expect(result.stderr).toContain(`chosen instance ${a}`)
        expect(result.stderr).not.toContain(key)
        wellFormed(result.stderr)
      }), slow)

    it.effect("DANDI_INSTANCE chooses the instance as -i does", () =>
      Effect.gen(function*() {
        const { a, b } = yield* Archives
        const viaEnv = yield* run(["ls", "--json", `${b}/dandisets/000001/`], { DANDI_API_KEY: key, DANDI_INSTANCE: a })
        expect(viaEnv.code).toBe(1)
        expect(viaEnv.stderr).toContain(`chosen instance ${a}`)
      }), slow)

    it.effect("a pasted URL without -i is read anonymously: B never gets the key, and is told how to send it", () =>
      Effect.gen(function*() {
        const { b } = yield* Archives
        const result = yield* run(["ls", "--json", `${b}/dandisets/000001/`], { DANDI_API_KEY: key })
        expect(result.stdout).toBe("")
        expect(result.code).toBe(1)
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain(`-i ${b}`)
        expect(result.stderr).toContain("DANDI_API_KEY")
        expect(result.stderr).not.toContain(key)
        wellFormed(result.stderr)
      }), slow)

    it.effect("-i B sends B's key, read from DANDI_API_KEY for an instance given as a URL", () =>
      Effect.gen(function*() {
        const { b } = yield* Archives
        const result = yield* run(["ls", "-i", b, "--json", "000001"], { DANDI_API_KEY: key })
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(JSON.parse(lines(result.stdout)[0]!)).toMatchObject({ identifier: "000001", embargo_status: "EMBARGOED" })
        expect(result.stdout).not.toContain(key)
      }), slow)

    it.effect("-i B without a key: the message names DANDI_API_KEY, a variable one can set", () =>
      Effect.gen(function*() {
        const { b } = yield* Archives
        const anonymous = yield* run(["ls", "-i", b, "--json", `${b}/dandisets/000001/`])
        expect(anonymous.code).toBe(1)
        expect(anonymous.stderr).toContain("Set DANDI_API_KEY")
        expect(anonymous.stderr.match(/\S*_API_KEY/g)).toEqual(["DANDI_API_KEY"])
        wellFormed(anonymous.stderr)
      }), slow)
  })

  describe("an archive that never answered", () => {
    it.effect("-i at a closed port: one line naming the host, exit 1, no retries", () =>
      Effect.gen(function*() {
        const result = yield* run(["ls", "-i", "http://127.0.0.1:1/api", "000001"], { DANDI_API_KEY: key })
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(result.stderr).toBe(
          "dandi-effect: Cannot reach the archive at http://127.0.0.1:1 (connection refused). Check the instance URL and your network connection.\n"
        )
      }), slow)
  })

  describe("terminal output", () => {
    it.effect("plain ls shows control characters in server data visibly, one line per item; --json is exact", () =>
      Effect.gen(function*() {
        const { a } = yield* Archives
        const plain = yield* run(["ls", "-i", a, "000002"])
        expect(plain.code).toBe(0)
        expect(plain.stdout).not.toMatch(rawControl)
        // Two tables, each under its header: the dandiset, then one row per asset.
        const printed = lines(plain.stdout)
        expect(printed).toHaveLength(2 + 1 + hostilePaths.length)
        expect(printed[1]).toContain("Hostile\\e[31m names")
        expect(plain.stdout).toContain("sub-1/\\e]0;pwned\\x07title.nwb")
        expect(plain.stdout).toContain("sub-1/new\\nline.nwb")
        expect(plain.stdout).toContain("sub-1/bidi\\u202egnp.exe")

        const json = yield* run(["ls", "-i", a, "--json", "000002"])
        expect(json.code).toBe(0)
        expect(json.stdout).not.toMatch(rawControl)
        const [dandiset, ...assets] = lines(json.stdout).map((line) => JSON.parse(line))
        expect(dandiset.version.name).toBe("Hostile\u001b[31m names")
        expect(assets.map((asset: { path: string }) => asset.path).sort()).toEqual([...hostilePaths].sort())

        // The whole-document formats are exact too, and as safe on a terminal.
        for (const [format, parse] of [["json_pp", JSON.parse], ["yaml", (text: string) => YAML.parse(text)]] as const) {
          const whole = yield* run(["ls", "-i", a, "-f", format, "000002"])
          expect(whole.code).toBe(0)
          expect(whole.stdout).not.toMatch(rawControl)
          const [first, ...rest] = parse(whole.stdout) as Array<{ version: { name: string }; path: string }>
          expect(first?.version.name).toBe("Hostile\u001b[31m names")
          expect(rest.map((asset) => asset.path).sort()).toEqual([...hostilePaths].sort())
        }
      }), slow)

    it.effect("an error message quoting what the user pasted reaches stderr as one visible line", () =>
      Effect.gen(function*() {
        const result = yield* run(["ls", "http://127.0.0.1:9/\u001b]0;owned\u0007\u001b[2Kforged"])
        expect(result.code).toBe(1)
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("http://127.0.0.1:9/\\e]0;owned\\x07\\e[2Kforged")
        wellFormed(result.stderr)
      }), slow)
  })

  describe("ending early", () => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      it.effect(`${signal} in the middle of ls --json exits ${code}, not 0`, () =>
        Effect.gen(function*() {
          const { a } = yield* Archives
          const result = yield* run(["ls", "-i", a, "--json", "000001"], {}, (child) => child.kill(signal))
          expect(result.code).toBe(code)
          expect(lines(result.stdout)).toHaveLength(1)
          expect(result.stderr).toBe("")
        }), slow)
    }

    it.effect("a closed stdout (ls | head -1) ends quietly with 141, no stack trace", () =>
      Effect.gen(function*() {
        const { a } = yield* Archives
        const result = yield* run(["ls", "-i", a, "--json", "000001"], {}, (child) => child.stdout!.destroy())
        expect(result.stderr).toBe("")
        expect(result.code).toBe(141)
      }), slow)
  })
})
