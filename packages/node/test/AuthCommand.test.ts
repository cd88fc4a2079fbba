/**
 * `dandi-effect auth login|logout|status` and `dandi-effect instances`, against the loopback
 * emulator. The keyring is a map standing in for the OS keyring (tests must not touch the user's),
 * driven through the commands' own functions; the binary is run for what a user sees through a
 * pipe: a rejected key, the status with an environment key, the list of instances.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as AuthCommand from "../src/cli/AuthCommand.js"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, layer } from "@effect/vitest"
import { ConfigProvider, Console, Effect, Exit, Layer, Redacted } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/dandi-effect.js", import.meta.url))

const goodKey = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
const badKey = "0000000000000000000000000000000000badkey"

const server = LoopbackServer.layer({
  seed: (admin) => admin.addUser({ username: "alice", token: goodKey })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

/** A keyring in a map: what `auth` saved, under dandi-cli's service and user names. */
const mapKeyring = () => {
  const entries = new Map<string, string>()
  const store: AuthCommand.KeyStore = {
    name: "test keyring",
    read: (service, user) => entries.get(`${service}/${user}`),
    write: (service, user, secret) => void entries.set(`${service}/${user}`, secret),
    remove: (service, user) => void entries.delete(`${service}/${user}`)
  }
  return { entries, store }
}

const brokenKeyring: AuthCommand.KeyStore = {
  name: "OS keyring",
  read: () => {
    throw new Error("Couldn't access platform storage")
  },
  write: () => {
    throw new Error("Couldn't access platform storage")
  },
  remove: () => {
    throw new Error("Couldn't access platform storage")
  }
}

/** Runs `effect` with the environment's key variables cleared; returns what it printed. */
const printed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const base = yield* Effect.console
    const console: Console.Console = {
      ...base,
      log: (...args) => Effect.sync(() => void out.push(args.map(String).join(" ")))
    }
    const exit = yield* Effect.exit(Effect.withConsole(effect, console))
    return { exit, out: out.join("\n") }
  })

/** No key variables: what the user's shell might hold must not decide these tests. */
const emptyEnvironment = ConfigProvider.fromMap(new Map())

const keyFrom = (key: string) => () => Effect.succeed(Redacted.make(key))

const failureMessage = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isFailure(exit) ? JSON.stringify(exit.cause) : ""

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const cli = (args: ReadonlyArray<string>, options: { readonly env?: Record<string, string>; readonly stdin?: string } = {}) =>
  Effect.promise(() =>
    new Promise<Outcome>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, DANDI_API_KEY: "", ...options.env }
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("close", (code) => resolve({ code, stdout, stderr }))
      child.stdin.end(options.stdin ?? "")
    })
  )

layer(server, { excludeTestServices: true })("dandi-effect auth", (it) => {
  describe("login, status, logout (keyring stand-in)", () => {
    it.effect("login saves an accepted key under dandi-cli's entry; status finds it; logout removes it", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const { entries, store } = mapKeyring()
        const login = yield* printed(AuthCommand.login({ instance: apiUrl, store, readKey: keyFrom(goodKey) }))
        expect(Exit.isSuccess(login.exit)).toBe(true)
        expect(login.out).toContain("as alice")
        expect(login.out).not.toContain(goodKey)
        const host = new URL(apiUrl).host
        expect([...entries]).toEqual([[`${TokenStore.serviceName(host)}/key`, goodKey]])

        const status = yield* printed(AuthCommand.status({ instance: apiUrl, store }))
        expect(status.out).toContain("as alice")
        expect(status.out).toContain("the key saved in the test keyring")
        expect(status.out).not.toContain(goodKey)

        const logout = yield* printed(AuthCommand.logout({ instance: apiUrl, store }))
        expect(Exit.isSuccess(logout.exit)).toBe(true)
        expect(logout.out).toContain("removed the key")
        expect(entries.size).toBe(0)

        const after = yield* printed(AuthCommand.status({ instance: apiUrl, store }))
        expect(after.out).toContain("Not logged in")
        expect(after.out).toContain("DANDI_API_KEY")
      }).pipe(Effect.withConfigProvider(emptyEnvironment)))

    it.effect("login with a key the archive rejects saves nothing and says what to do, without the key", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const { entries, store } = mapKeyring()
        const login = yield* printed(AuthCommand.login({ instance: apiUrl, store, readKey: keyFrom(badKey) }))
        expect(Exit.isFailure(login.exit)).toBe(true)
        const message = failureMessage(login.exit)
        expect(message).toContain("rejected")
        expect(message).not.toContain(badKey)
        expect(entries.size).toBe(0)
      }).pipe(Effect.withConfigProvider(emptyEnvironment)))

    it.effect("login where the keyring cannot save: the key was accepted, the variable to set instead is named", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const login = yield* printed(AuthCommand.login({ instance: apiUrl, store: brokenKeyring, readKey: keyFrom(goodKey) }))
        expect(Exit.isFailure(login.exit)).toBe(true)
        const message = failureMessage(login.exit)
        expect(message).toContain("Couldn't access platform storage")
        expect(message).toContain("set DANDI_API_KEY")
        expect(message).not.toContain(goodKey)
      }).pipe(Effect.withConfigProvider(emptyEnvironment)))
  })

  describe("the binary", () => {
    it.effect("a key piped to login that the archive rejects: exit 1, one stderr line, key not shown", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* cli(["auth", "login", "-i", apiUrl], { stdin: `${badKey}\n` })
        expect(result.code).toBe(1)
        expect(result.stderr.trim().split("\n")).toHaveLength(1)
        expect(result.stderr).toContain("rejected")
        expect(`${result.stdout}${result.stderr}`).not.toContain(badKey)
      }))

    it.effect("status with DANDI_API_KEY for an instance given as a URL: who, and from which variable", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* cli(["auth", "status", "-i", apiUrl], { env: { DANDI_API_KEY: goodKey } })
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(result.stdout).toContain("as alice, with the DANDI_API_KEY environment variable")
        expect(result.stdout).not.toContain(goodKey)
      }))

    it.effect("instances: a table of the known archives; -f json the same as records", () =>
      Effect.gen(function*() {
        const [table, json] = yield* Effect.all([cli(["instances"]), cli(["instances", "-f", "json"])], {
          concurrency: "unbounded"
        })
        expect(table.code).toBe(0)
        const [header, ...rows] = table.stdout.trim().split("\n")
        expect(header!.split(/\s+/)).toEqual(["NAME", "API", "WEB"])
        expect(rows.find((row) => row.startsWith("dandi "))).toMatch(
          /^dandi\s+https:\/\/api\.dandiarchive\.org\/api\s+https:\/\/dandiarchive\.org$/
        )
        expect(rows.some((row) => row.startsWith("linc "))).toBe(true)
        const records = JSON.parse(json.stdout) as Array<Record<string, unknown>>
        expect(records.map((record) => record.name)).toEqual(rows.map((row) => row.split(/\s+/)[0]))
        expect(records.find((record) => record.name === "dandi-sandbox")).toMatchObject({
          api: "https://api.sandbox.dandiarchive.org/api",
          api_key_variable: "DANDI_SANDBOX_API_KEY"
        })
      }))
  })
})
