/**
 * Listing and checksumming a zarr retains memory bounded by a page of the listing, not by the
 * number of entries: the compiled SDK runs in a child process under `node --expose-gc` (so each
 * sample is the heap after a full collection and the emulator's store is not counted) against
 * the loopback emulator, for 10,000 and 100,000 entries. The same child keeping every entry of
 * the 10,000 gives the cost of one retained entry, which the bound is stated in.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import type { EmulatorContent } from "@dandi-effect/core/testing/EmulatorAdmin"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { ensureBuilt } from "./support/Cli.js"

const child = fileURLToPath(new URL("./support/zarr-listing-memory-child.mjs", import.meta.url))

const entriesOf = (n: number): Record<string, EmulatorContent> => {
  const entries: Record<string, EmulatorContent> = {}
  // OME-Zarr-like: 4 arrays, chunks two levels deep, 50 per leaf directory.
  for (let i = 0; i < n; i++) entries[`${i % 4}/c/${Math.floor(i / 200)}/${Math.floor(i / 4) % 50}`] = { _tag: "Generated", size: 8, seed: i }
  return entries
}

const zarrIds: Record<number, string> = {}

const world = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-token" })
      yield* admin.createDandiset({ identifier: "000001", name: "Large zarrs", owners: ["owner"] })
      for (const n of [10_000, 100_000]) zarrIds[n] = (yield* admin.addZarrAsset("000001", `n${n}.zarr`, entriesOf(n))).zarrId
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

interface Sample {
  readonly count: number
  readonly held: number
  readonly checksum: string
  readonly baseline: number
  readonly peak: number
}

const measure = (apiUrl: string, n: number, mode: "stream" | "collect") =>
  Effect.promise(() =>
    new Promise<Sample>((resolve, reject) => {
      const run = spawn(process.execPath, ["--expose-gc", child, apiUrl, zarrIds[n]!, mode], {
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      run.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      run.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      run.once("close", (code) =>
        code === 0 ? resolve(JSON.parse(stdout) as Sample) : reject(new Error(`child exited ${code}: ${stderr}`)))
    })
  )

const archiveChecksum = (apiUrl: string, n: number) =>
  Effect.promise(async () => ((await (await fetch(`${apiUrl}/zarr/${zarrIds[n]}/`)).json()) as { checksum: string }).checksum)

describe("a zarr of 100,000 entries, listed and checksummed", () => {
  layer(world, { excludeTestServices: true, timeout: 300_000 })("loopback", (it) => {
    it.effect("retains about as much heap as one of 10,000 entries: far less than keeping the entries would", () =>
      Effect.gen(function*() {
        ensureBuilt()
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const small = yield* measure(apiUrl, 10_000, "stream")
        const large = yield* measure(apiUrl, 100_000, "stream")
        const kept = yield* measure(apiUrl, 10_000, "collect")
        expect([small.count, large.count, kept.count, kept.held]).toEqual([10_000, 100_000, 10_000, 10_000])
        expect(small.checksum).toBe(yield* archiveChecksum(apiUrl, 10_000))
        expect(large.checksum).toBe(yield* archiveChecksum(apiUrl, 100_000))

        const growth = (sample: Sample) => sample.peak - sample.baseline
        // What one entry costs when it is kept (the listing's record and its fields).
        const perEntry = (growth(kept) - growth(small)) / 10_000
        expect(perEntry).toBeGreaterThan(100)
        // 90,000 more entries may add at most a quarter of what keeping them would cost; a
        // listing or checksum that held every entry (or every leaf) would add all of it.
        // Measured on the 2-core machine: 1.4 MB for 10,000, 2.2 MB for 100,000, 219 B per kept entry.
        const figures = `retained ${growth(small)} B for 10,000 and ${growth(large)} B for 100,000; ${perEntry.toFixed(0)} B per kept entry`
        expect(growth(large) - growth(small), figures).toBeLessThan(0.25 * 90_000 * perEntry)
      }), 300_000)
  })
})
