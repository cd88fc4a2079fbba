/**
 * The `dandi-effect ls` contract, on the built binary (run `npx tsc -b` first) against the
 * loopback emulator: every dandiset, a dandiset's versions, a readable table by default, JSON
 * lines in the API's field names with `--json`, JSON/YAML documents with `-f`, and a one-line
 * error with exit 1.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, layer } from "@effect/vitest"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import { NodeHttpClient } from "@effect/platform-node"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LsCommand from "../src/cli/LsCommand.js"
import * as LsFormat from "../src/cli/LsFormat.js"
import { Console, Effect, Layer } from "effect"
import * as YAML from "yaml"
import { runCli } from "./support/Cli.js"

const bytes = (text: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(text) }) as const

const seeded: { blobAssetId?: string; publishedVersion?: string } = {}

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-token" })
      yield* admin.createDandiset({ identifier: "000001", name: "Listing test", owners: ["owner"] })
      const blob = yield* admin.addBlobAsset("000001", "sub-1/sub-1_ecephys.nwb", bytes("nwb bytes"))
      seeded.blobAssetId = blob.assetId
      yield* admin.addBlobAsset("000001", "README.md", bytes("# readme"))
      yield* admin.addZarrAsset("000001", "sub-1/image.zarr", { ".zattrs": bytes("{}"), "0/0": bytes("chunk") })
      yield* admin.createDandiset({ identifier: "000002", name: "Published study", owners: ["owner"] })
      yield* admin.addBlobAsset("000002", "data.nwb", { _tag: "Generated", size: 2_500_000, seed: 7 })
      yield* admin.runBackgroundJobs
      const published = yield* admin.publish("000002")
      seeded.publishedVersion = published.version
      yield* admin.runBackgroundJobs
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

const ls = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runCli(["ls", ...args], { env })

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

    it.effect("each asset line is the server's record, metadata as sent, in the API's field order", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--json", "000001/draft"])
        expect(result.code).toBe(0)
        const listing = yield* Effect.promise(() =>
          fetch(`${apiUrl}/dandisets/000001/versions/draft/assets/?metadata=true&order=path&page_size=1000`)
            .then((response) => response.json() as Promise<{ results: Array<Record<string, unknown>> }>)
        )
        const expected = listing.results.map((record) =>
          JSON.stringify({
            asset_id: record.asset_id,
            path: record.path,
            size: record.size,
            created: record.created,
            modified: record.modified,
            ...(record.blob != null ? { blob: record.blob } : { zarr: record.zarr }),
            metadata: record.metadata
          })
        )
        expect(expected).toHaveLength(3)
        // Byte for byte: what the server sent, nothing lost, added or reordered.
        expect(lines(result.stdout).slice(1)).toEqual(expected)
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

  describe("every dandiset", () => {
    it.effect("without a target, --json prints each dandiset of the instance in the API's field names", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--json"])
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const listed = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
        expect(listed.map((d) => d.identifier)).toEqual(["000001", "000002"])
        expect((listed[1]!.most_recent_published_version as Record<string, unknown>).version).toBe(seeded.publishedVersion)
        expect((listed[1]!.version as Record<string, unknown>).version).toBe(seeded.publishedVersion)
      }))

    it.effect("the API's dandisets URL lists the same, as a table with a header", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls([`${apiUrl}/dandisets/`])
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const [header, first, second, ...rest] = lines(result.stdout)
        expect(header!.split(/\s+/)).toEqual(["DANDISET", "VERSION", "STATUS", "ASSETS", "SIZE", "MODIFIED", "NAME"])
        expect(first).toMatch(/^000001\s+draft\s+\S+\s+3\s+\d+ B\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Listing test$/)
        expect(second).toContain(`000002    ${seeded.publishedVersion}`)
        expect(second).toContain("2.5 MB")
        expect(rest).toEqual([])
      }))
  })

  describe("a dandiset's versions", () => {
    it.effect("--versions lists every version, draft and published", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--versions", "--json", "000002"])
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const listed = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
        expect(listed.map((v) => v.version).sort()).toEqual([seeded.publishedVersion, "draft"].sort())
        for (const version of listed) {
          expect(Object.keys(version).sort()).toEqual(["asset_count", "created", "modified", "name", "size", "status", "version"])
        }
      }))

    it.effect("the API's versions URL lists them as a table", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls([`${apiUrl}/dandisets/000002/versions/`])
        expect(result.code).toBe(0)
        const [header, ...rows] = lines(result.stdout)
        expect(header).toMatch(/^DANDISET\s+VERSION/)
        expect(rows).toHaveLength(2)
        expect(rows.every((row) => row.startsWith("000002") && row.includes("2.5 MB"))).toBe(true)
      }))

    it.effect("--versions of an unknown dandiset: one stderr line naming it, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--versions", "999999"])
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("999999")
      }))
  })

  describe("table output (the default)", () => {
    it.effect("a dandiset: its row under a header, then its assets under theirs, sizes readable", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "000001/draft"], { DANDI_API_KEY: "owner-token" })
        expect(result.code).toBe(0)
        const printed = result.stdout.split("\n")
        expect(printed[0]).toMatch(/^DANDISET\s+VERSION\s+STATUS\s+ASSETS\s+SIZE\s+MODIFIED\s+NAME$/)
        expect(printed[1]).toMatch(/^000001\s+draft\s+/)
        expect(printed[1]).toContain("Listing test")
        expect(printed[2]).toBe("")
        expect(printed[3]!.trim().split(/\s{2,}/)).toEqual(["SIZE", "TYPE", "MODIFIED", "ASSET ID", "PATH"])
        const assetRows = printed.slice(4).filter((line) => line.length > 0)
        expect(assetRows.map((row) => row.split(/\s+/).at(-1))).toEqual([
          "README.md",
          "sub-1/image.zarr",
          "sub-1/sub-1_ecephys.nwb"
        ])
        expect(assetRows[2]).toMatch(/^\s*9 B\s+blob\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+/)
        expect(assetRows[2]).toContain(seeded.blobAssetId)
        expect(assetRows[1]).toContain("zarr")
      }))
  })

  describe("-f json|json_pp|yaml", () => {
    // In-process (the command's own `run`, over real sockets), so that four formats cost no
    // four process start-ups.
    it.effect("each prints the records of --json as one document", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const printed = (format: LsFormat.Format) =>
          Effect.gen(function*() {
            const out: Array<string> = []
            const console: Console.Console = {
              ...(yield* Effect.console),
              log: (...args) => Effect.sync(() => void out.push(args.map(String).join(" ")))
            }
            yield* LsCommand.run({ instance: apiUrl, format, versions: false, target: "000001" }).pipe(
              Effect.withConsole(console)
            )
            return out.join("\n")
          })
        const expected = lines(yield* printed("json_lines")).map((line) => JSON.parse(line) as unknown)
        expect(expected).toHaveLength(4)
        const json = yield* printed("json")
        expect(lines(json)).toHaveLength(1)
        expect(JSON.parse(json)).toEqual(expected)
        const pretty = yield* printed("json_pp")
        expect(lines(pretty).length).toBeGreaterThan(4)
        expect(JSON.parse(pretty)).toEqual(expected)
        expect(YAML.parse(yield* printed("yaml"))).toEqual(expected)
      }))

    it.effect("--json beside another -f: one stderr line saying which to drop, exit 1", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const result = yield* ls(["-i", apiUrl, "--json", "-f", "yaml", "000001"])
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
        expect(lines(result.stderr)).toHaveLength(1)
        expect(result.stderr).toContain("-f yaml")
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
          Effect.provide([NodeHttpClient.layerUndici, TokenStore.layerMemory, Hasher.layerPortable])
        )
        expect(url.startsWith(storageUrl)).toBe(true)
        expect(url).not.toContain("?")
      }))
  })
})
