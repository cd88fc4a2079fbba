/**
 * Options may come after the positional arguments, as dandi-cli users write them
 * (`dandi-effect ls 000001 --json`, `download 000001 -o DIR`): every command that takes both
 * gives the same result in either order. The built binary, against the loopback emulator.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { beforeAll, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt, runCli } from "./support/Cli.js"

beforeAll(ensureBuilt, 180_000)

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-token" })
      yield* admin.createDandiset({ identifier: "000001", name: "Order test", owners: ["owner"] })
      yield* admin.addBlobAsset("000001", "sub-1/sub-1_ecephys.nwb", { _tag: "Bytes", bytes: new TextEncoder().encode("nwb bytes") })
      yield* admin.runBackgroundJobs
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

/** A fresh folder for the test's files, removed when the test's scope closes. */
const folder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "dandi-effect-order-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

layer(server, { excludeTestServices: true })("options after positional arguments", (it) => {
  it.effect("ls: `ls 000001 --json -i URL` prints what `ls -i URL --json 000001` prints", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const before = yield* runCli(["ls", "-i", apiUrl, "--json", "000001"])
      const after = yield* runCli(["ls", "000001", "--json", "-i", apiUrl])
      expect(before.code).toBe(0)
      expect(after).toEqual(before)
      expect(after.stdout).toContain("\"path\":\"sub-1/sub-1_ecephys.nwb\"")
      const formatted = yield* runCli(["ls", "000001", "-f", "yaml", "-i", apiUrl])
      expect(formatted.code).toBe(0)
      expect(formatted.stdout).toContain("path: sub-1/sub-1_ecephys.nwb")
    }))

  it.scoped("download: `download 000001 -o DIR -i URL --existing skip` downloads into DIR", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* folder
      const result = yield* runCli(["download", "000001", "-o", dir, "-i", apiUrl, "--existing", "skip"])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(readFileSync(join(dir, "000001", "sub-1", "sub-1_ecephys.nwb"), "utf8")).toBe("nwb bytes")
    }))

  it.scoped("upload: `upload PATH --dandiset 000001 -i URL` uploads PATH", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* folder
      mkdirSync(join(dir, "sub-2"))
      writeFileSync(join(dir, "sub-2", "sub-2_ecephys.nwb"), "more nwb bytes")
      const result = yield* runCli(["upload", "sub-2", "--dandiset", "000001", "-i", apiUrl], {
        cwd: dir,
        env: { DANDI_API_KEY: "owner-token" }
      })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const listed = yield* runCli(["ls", "000001", "--json", "-i", apiUrl])
      expect(listed.stdout).toContain("\"path\":\"sub-2/sub-2_ecephys.nwb\"")
    }))

  it.scoped("digest: `digest PATH -d md5` prints the md5", () =>
    Effect.gen(function*() {
      const dir = yield* folder
      writeFileSync(join(dir, "abc.txt"), "abc")
      const result = yield* runCli(["digest", join(dir, "abc.txt"), "-d", "md5"])
      expect(result.code).toBe(0)
      expect(result.stdout).toBe(`${join(dir, "abc.txt")}: 900150983cd24fb0d6963f7d28e17f72\n`)
    }))
})
