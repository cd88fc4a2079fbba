/**
 * The `dandi-effect upload` contract, through the built binary (run `npx tsc -b` first) against
 * the loopback emulator: directory trees with asset paths relative to the working directory,
 * the existing policies, sync, Zarr directories as zarr assets, quiet when piped — and an upload whose process is
 * killed mid-way, resumed by a second run that sends only the missing part.
 */
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { describe, expect, layer } from "@effect/vitest"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { Chunk, Deferred, Effect, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { dandisetId, dataFile, makeWorld, ownerKey, storagePuts, twoPartSize } from "./support/UploadWorld.js"

// Each run starts a Node process that loads the SDK: seconds apiece on a loaded machine.
const bin = fileURLToPath(new URL("../bin/dandi-effect.js", import.meta.url))

interface Outcome {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const start = (cwd: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  spawn(process.execPath, [bin, "upload", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DANDI_API_KEY: ownerKey, ...env }
  })

const finished = (child: ChildProcess) =>
  Effect.promise(() =>
    new Promise<Outcome>((resolve) => {
      let stdout = ""
      let stderr = ""
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })
  )

const tree = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), "dandi-upload-tree-"))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true })
    if (content.endsWith("/")) mkdirSync(join(root, path), { recursive: true })
    else writeFileSync(join(root, path), content)
  }
  return root
}

const draftPaths = Effect.gen(function*() {
  const api = yield* DandiApi
  return Chunk.toReadonlyArray(yield* Stream.runCollect(api.listAssets(dandisetId, "draft"))).map((a) => a.path).sort()
})

describe("dandi-effect upload", () => {
  const world = makeWorld()
  const cacheDir = mkdtempSync(join(tmpdir(), "dandi-upload-cli-cache-"))
  const env = { DANDI_CACHE_DIR: cacheDir, DANDI_UPLOAD_STATE_DIR: join(cacheDir, "uploads") }
  const upload = (cwd: string, ...args: Array<string>) =>
    Effect.flatMap(LoopbackServer.LoopbackEmulator, ({ apiUrl }) =>
      finished(start(cwd, ["-i", apiUrl, "--dandiset", dandisetId, ...args], env)))

  layer(world.layer, { excludeTestServices: true })("loopback", (it) => {
    it.effect("uploads a tree at paths relative to the working directory, skipping hidden files and dandiset.yaml", () =>
      Effect.gen(function*() {
        const root = tree({
          "data/sub-1/a.txt": "alpha",
          "data/sub-1/.hidden": "secret",
          "data/README.md": "# readme",
          "data/dandiset.yaml": "identifier: x"
        })
        const result = yield* upload(join(root, "data"), ".")
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(result.stdout.trim()).toBe("dandi-effect upload: uploaded 2 files (13 B sent), skipped 0, failed 0")
        expect(yield* draftPaths).toEqual(["README.md", "sub-1/a.txt"])

        const again = yield* upload(join(root, "data"), ".")
        expect(again.code).toBe(0)
        expect(again.stdout).toContain("uploaded 0 files")
        expect(again.stdout).toContain("skipped 2")

        const refused = yield* upload(join(root, "data"), "--existing", "error", "README.md")
        expect(refused.code).toBe(1)
        expect(refused.stderr).toContain("README.md already exists")
        expect(refused.stderr).toContain("existing policy is \"error\"")
      }), 180_000)

    it.effect("without -i, DANDI_INSTANCE names the archive, as for ls and download", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const root = tree({ "sub-3/chosen.txt": "by DANDI_INSTANCE" })
        const result = yield* finished(start(root, ["--dandiset", dandisetId, "sub-3"], { ...env, DANDI_INSTANCE: apiUrl }))
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(yield* draftPaths).toContain("sub-3/chosen.txt")
      }), 180_000)

    it.effect("--sync deletes the remote assets under the given paths that have no local file", () =>
      Effect.gen(function*() {
        const root = tree({ "sub-2/keep.txt": "keep", "sub-2/drop.txt": "drop" })
        expect((yield* upload(root, "sub-2")).code).toBe(0)
        const dropped = tree({ "sub-2/keep.txt": "keep" })
        const result = yield* upload(dropped, "--sync", "sub-2")
        expect(result.code).toBe(0)
        expect(result.stdout).toContain("deleted 1")
        expect((yield* draftPaths).filter((p) => p.startsWith("sub-2/"))).toEqual(["sub-2/keep.txt"])
      }), 180_000)

    it.effect("uploads a Zarr directory as one zarr asset, and a second run sends only what changed", () =>
      Effect.gen(function*() {
        const root = tree({ "image.zarr/.zattrs": "{}", "image.zarr/0/0": "chunk", "image.zarr/0/1": "chunk 2", "other.txt": "x" })
        const result = yield* upload(root, ".")
        expect(result.code).toBe(0)
        expect(result.stdout).toContain("uploaded 2 files")
        const api = yield* DandiApi
        const assets = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listAssets(dandisetId, "draft")))
        const zarr = assets.find((a) => a.path === "image.zarr")!
        expect(zarr.record.zarr).not.toBeNull()
        const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(api.listZarrFiles(zarr.record.zarr!)))
        expect(entries.map((e) => e.path).sort()).toEqual([".zattrs", "0/0", "0/1"])

        writeFileSync(join(root, "image.zarr", "0", "1"), "changed")
        const before = world.observed.length
        const again = yield* upload(root, "image.zarr")
        expect(again.code).toBe(0)
        expect(world.observed.slice(before).filter((o) => o.origin === "s3" && o.method === "PUT").map((o) => o.path.split("/").slice(4).join("/")))
          .toEqual(["0/1"])
      }), 180_000)

    it.effect("a path outside the archive's grammar fails that file with a line naming the rule; exit 1", () =>
      Effect.gen(function*() {
        const root = tree({ "bad name?.txt": "x" })
        const result = yield* upload(root, ".")
        expect(result.code).toBe(1)
        expect(result.stderr).toContain("bad name?.txt")
        expect(result.stderr).toContain("only ASCII letters")
        expect(result.stdout).toContain("failed 1")
      }), 180_000)

    it.effect("a killed upload is resumed by the next run, which sends only the missing part", () =>
      Effect.gen(function*() {
        const root = mkdtempSync(join(tmpdir(), "dandi-upload-kill-"))
        copyFileSync(dataFile("killed", twoPartSize), join(root, "big.bin"))
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const part2 = yield* Deferred.make<void>()
        world.control.hold = (request) =>
          request.origin === "s3" && request.method === "PUT" && request.partNumber === 2
            ? Effect.zipRight(Deferred.succeed(part2, undefined), Effect.never)
            : Effect.void
        const before = world.observed.length
        const child = start(root, ["-i", apiUrl, "--dandiset", dandisetId, "-J", "1:1", "big.bin"], env)
        const exited = yield* Effect.fork(finished(child))
        // Part 1 is confirmed (and saved) once part 2 goes out, one part at a time.
        yield* Deferred.await(part2)
        child.kill("SIGKILL")
        const killed = yield* exited.await.pipe(Effect.flatten)
        expect(killed.signal).toBe("SIGKILL")
        world.control.hold = undefined
        expect(storagePuts(world).slice(-2).map((p) => p.partNumber)).toEqual([1, 2])
        expect(yield* draftPaths).not.toContain("big.bin")

        const resumedFrom = world.observed.length
        const result = yield* upload(root, "-J", "1:1", "big.bin")
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(result.stdout).toContain("1 resumed")
        const second = world.observed.slice(resumedFrom)
        expect(second.filter((o) => o.origin === "s3" && o.method === "PUT").map((o) => o.partNumber)).toEqual([2])
        expect(second.some((o) => o.path.endsWith("/uploads/initialize/"))).toBe(false)
        expect(world.observed.slice(before).filter((o) => o.path.endsWith("/uploads/initialize/"))).toHaveLength(1)
        expect(yield* draftPaths).toContain("big.bin")
      }), 180_000)
  })
})
