/**
 * The `dandi-effect ls` contract, on the built binary (run `npx tsc -b` first) against the
 * loopback emulator: JSON lines in the API's field names, and a one-line error with exit 1.
 */
import { Hasher } from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, layer } from "@effect/vitest"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import { NodeHttpClient } from "@effect/platform-node"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/dandi-effect.js", import.meta.url))

const bytes = (text: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(text) }) as const

const seeded: { blobAssetId?: string } = {}

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-token" })
      yield* admin.createDandiset({ identifier: "000001", name: "Listing test", owners: ["owner"] })
      const blob = yield* admin.addBlobAsset("000001", "sub-1/sub-1_ecephys.nwb", bytes("nwb bytes"))
      seeded.blobAssetId = blob.assetId
      yield* admin.addBlobAsset("000001", "README.md", bytes("# readme"))
      yield* admin.addZarrAsset("000001", "sub-1/image.zarr", { ".zattrs": bytes("{}"), "0/0": bytes("chunk") })
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const ls = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.promise(() =>
    new Promise<Outcome>((resolve) => {
      const child = spawn(process.execPath, [bin, "ls", ...args], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DANDI_API_KEY: "", ...env }
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("close", (code) => resolve({ code, stdout, stderr }))
    })
  )

const lines = (text: string) => text.split("\n").filter((line) => line.length > 0)

layer(server, { excludeTestServices: true })("dandi-effect ls", (it) => {
  describe("--json", () => {
    it.effect("prints the dandiset, then each asset, one JSON object per line in API field names", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--json", "000001"])
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const [dandiset, ...assets] = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
        expect(dandiset).toMatchObject({ identifier: "000001", most_recent_published_version: null })
        expect((dandiset!.version as Record<string, unknown>).version).toBe("draft")
        expect(assets.map((a) => a.path)).toEqual(["README.md", "sub-1/image.zarr", "sub-1/sub-1_ecephys.nwb"])
        for (const asset of assets) {
          expect(Object.keys(asset)).toEqual(expect.arrayContaining(["asset_id", "path", "size", "created", "modified", "metadata"]))
          expect(typeof asset.metadata).toBe("object")
          expect((asset.metadata as Record<string, unknown>).path).toBe(asset.path)
        }
        expect(assets[0]).toHaveProperty("blob")
        expect(assets[1]).toHaveProperty("zarr")
        expect(assets[2]!.size).toBe("nwb bytes".length)
      }))

    it.effect("an asset id URL lists just that asset", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["--json", `${apiUrl}/assets/${seeded.blobAssetId}/`])
        expect(result.code).toBe(0)
        const listed = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
        expect(listed).toHaveLength(1)
        expect(listed[0]).toMatchObject({ asset_id: seeded.blobAssetId, path: "sub-1/sub-1_ecephys.nwb" })
      }))

    it.effect("a folder URL lists the assets under it", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["--json", `${apiUrl}/dandisets/000001/versions/draft/assets/?path=sub-1/`])
        expect(result.code).toBe(0)
        expect(lines(result.stdout).map((line) => (JSON.parse(line) as { path: string }).path)).toEqual([
          "sub-1/image.zarr",
          "sub-1/sub-1_ecephys.nwb"
        ])
      }))
  })

  describe("plain output", () => {
    it.effect("prints one readable line per item", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "000001/draft"], { DANDI_API_KEY: "owner-token" })
        expect(result.code).toBe(0)
        const printed = lines(result.stdout)
        expect(printed).toHaveLength(4)
        expect(printed[0]).toContain("000001/draft")
        expect(printed[0]).toContain("Listing test")
        expect(printed[3]).toContain("sub-1/sub-1_ecephys.nwb")
        expect(printed[3]).toContain(`${"nwb bytes".length} bytes`)
      }))
  })

  describe("failures", () => {
    it.effect("an unknown dandiset: one stderr line naming it, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--json", "999999"])
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("No such Dandiset: '999999'")
      }))

    it.effect("a rejected DANDI_API_KEY: one stderr line saying to check or regenerate it, key not shown, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const key = "0000000000000000000000000000000000badkey"
        const result = yield* ls(["-i", apiUrl, "--json", "000001"], { DANDI_API_KEY: key })
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("rejected the DANDI_API_KEY environment variable")
        expect(result.stderr).toContain("generate a new one")
        expect(result.stderr).not.toContain(key)
      }))

    it.effect("an unparsable target: one stderr line saying which forms work, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "not-a-dandiset"])
        expect(result.code).toBe(1)
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("not-a-dandiset")
        expect(result.stderr).toContain("000027")
      }))

    it.effect("a folder with no assets: one stderr line naming it, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls([`${apiUrl.replace(/\/api$/, "")}/dandiset/000001/draft/files?location=nope`])
        expect(result.code).toBe(1)
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("nope/")
      }))
  })

  describe("DandiApi over real sockets", () => {
    it.effect("getContentUrl follows the download redirect to the object store", () =>
      Effect.gen(function*() {
        const { apiUrl, storageUrl } = yield* LoopbackServer.LoopbackEmulator
        const url = yield* Effect.gen(function*() {
          const api = yield* DandiApi.DandiApi
          const asset = yield* api.getAsset(seeded.blobAssetId!)
          return yield* asset.getContentUrl({ followRedirects: true, stripQuery: true })
        }).pipe(
          Effect.provide(DandiApi.layer({ instance: apiUrl, discover: false, token: "owner-token" })),
          Effect.provide([NodeHttpClient.layerUndici, TokenStore.layerMemory])
        )
        expect(url.startsWith(storageUrl)).toBe(true)
        expect(url).not.toContain("?")
      }))
  })
})
