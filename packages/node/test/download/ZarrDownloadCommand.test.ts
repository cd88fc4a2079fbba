/**
 * `dandi-effect download` on the built binary against the loopback emulator, for a dandiset
 * holding a zarr asset next to a blob: the zarr lands as a directory of its entries, and the
 * zarr checksum of that directory, computed here independently, is the asset's.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { BaseRemoteZarrAsset } from "@dandi-effect/core/RemoteAsset"
import type { ArchiveAdmin, EmulatorContent } from "@dandi-effect/core/testing/EmulatorAdmin"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as LocalZarr from "@dandi-effect/node/LocalZarr"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { runCli } from "../support/Cli.js"
import { archive, tempDir } from "./LoopbackDownload.js"

const text = (value: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(value) }) as const

/** Nested groups (`g<g>/labels`) and arrays of chunks under `c/<x>/<y>`: 2 + 2 × (2 + 2 × (1 + 36)) entries. */
const zarrEntries = (): Record<string, EmulatorContent> => {
  const entries: Record<string, EmulatorContent> = {
    ".zgroup": text(JSON.stringify({ zarr_format: 2 })),
    ".zattrs": text(JSON.stringify({ multiscales: [{ version: "0.4" }] }))
  }
  for (let g = 0; g < 2; g++) {
    entries[`g${g}/.zgroup`] = text(JSON.stringify({ zarr_format: 2 }))
    entries[`g${g}/labels/.zgroup`] = text(JSON.stringify({ zarr_format: 2 }))
    for (let a = 0; a < 2; a++) {
      entries[`g${g}/${a}/.zarray`] = text(JSON.stringify({ chunks: [1, 1], dtype: "<u1", shape: [6, 6] }))
      for (let x = 0; x < 6; x++) {
        for (let y = 0; y < 6; y++) entries[`g${g}/${a}/c/${x}/${y}`] = { _tag: "Generated", size: 64 + x * 6 + y, seed: g * 1000 + a * 100 + x * 6 + y }
      }
    }
  }
  return entries
}

const zarrPath = "sub-1/sample.ome.zarr"

const seed = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "with a zarr", owners: ["owner"] })
    yield* admin.addBlobAsset("000001", "sub-1/a.nwb", text("a blob next to the zarr"))
    yield* admin.addZarrAsset("000001", zarrPath, zarrEntries())
    yield* admin.runBackgroundJobs
  })

/** Every file under `dir`, relative and `/`-separated. */
const filesUnder = (dir: string): Effect.Effect<Array<string>> =>
  Effect.promise(async () =>
    (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).split("\\").join("/"))
      .sort()
  )

describe("dandi-effect download of a dandiset with a zarr asset", () => {
  it.scopedLive("writes the zarr as a directory whose zarr checksum is the asset's", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const dir = yield* tempDir
      const result = yield* runCli(["download", "-i", apiUrl, "-o", dir, "000001"])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)

      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001", "draft")
      const asset = (yield* dandiset.getAssetByPath(zarrPath)) as unknown as BaseRemoteZarrAsset
      const archived = yield* asset.getRawDigest("dandi:dandi-zarr-checksum")

      const local = join(dir, "000001", ...zarrPath.split("/"))
      expect((yield* Effect.promise(() => stat(local))).isDirectory()).toBe(true)
      expect((yield* filesUnder(local))).toEqual(Object.keys(zarrEntries()).sort())
      expect(String(yield* LocalZarr.checksum(local))).toBe(archived)
      expect(yield* Effect.promise(() => readFile(join(local, "g1", "labels", ".zgroup"), "utf8")))
        .toBe(JSON.stringify({ zarr_format: 2 }))
      expect(yield* Effect.promise(() => readFile(join(dir, "000001", "sub-1", "a.nwb"), "utf8")))
        .toBe("a blob next to the zarr")
    }).pipe(Effect.provide(archive(seed))), 120_000)
})
