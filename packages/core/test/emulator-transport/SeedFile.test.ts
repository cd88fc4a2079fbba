import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as SeedFile from "@dandi-effect/core/testing/SeedFile"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { fixtureText, realAssetRecords } from "../fixtures-support/RepositoryFixtures.js"

const api = InProcessHttp.defaultApiUrl
const archive = () => InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable))

const seedWith = (json: unknown) =>
  Effect.gen(function*() {
    const seed = yield* SeedFile.decode(JSON.stringify(json))
    const emulator = yield* ArchiveEmulator
    yield* SeedFile.apply(seed)(emulator.admin)
  })

const getJson = (url: string, token?: string) =>
  HttpClient.execute(
    token === undefined
      ? HttpClientRequest.get(url)
      : HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("authorization", `token ${token}`))
  ).pipe(Effect.flatMap((r) => r.json)) as Effect.Effect<any, unknown, HttpClient.HttpClient>

const realRecords = realAssetRecords()

describe("SeedFile.apply", () => {
  it.effect("seeds users, dandisets and every asset form, paths stored as given", () =>
    Effect.gen(function*() {
      yield* seedWith({
        users: [{ username: "alice", token: "alice-key" }],
        dandisets: [{
          identifier: "000123",
          name: "Seeded",
          owners: ["alice"],
          assets: [
            { path: "hello.txt", text: "hello world\n" },
            { path: "bytes.bin", base64: "AAECAw==" },
            { path: "gen/big.dat", size: 100000, seed: 9 },
            { path: "img.zarr", zarr: { ".zgroup": { text: "{\"zarr_format\": 2}" }, "0/0": { size: 64, seed: 1 } } },
            { path: "../odd//path.txt", text: "hostile" },
            { record: realRecords[0] }
          ]
        }]
      })
      const me = yield* getJson(`${api}/users/me/`, "alice-key")
      expect(me.username).toBe("alice")
      const dandiset = yield* getJson(`${api}/dandisets/000123/`)
      expect(dandiset.draft_version.name).toBe("Seeded")
      const assets = yield* getJson(`${api}/dandisets/000123/versions/draft/assets/?metadata=1&page_size=100`)
      const byPath = new Map<string, any>(assets.results.map((row: any) => [row.path, row]))
      expect([...byPath.keys()].sort()).toEqual(
        ["../odd//path.txt", "README.md", "bytes.bin", "gen/big.dat", "hello.txt", "img.zarr"].sort()
      )
      // Vectors from the spec (server-contract §4.1) for `hello world\n`.
      expect(byPath.get("hello.txt").metadata.digest).toMatchObject({
        "dandi:dandi-etag": "8d780cfbcd9622aa77011564e615065f-1",
        "dandi:sha2-256": "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
      })
      expect(byPath.get("bytes.bin").size).toBe(4)
      expect(byPath.get("gen/big.dat").size).toBe(100000)
      expect(byPath.get("img.zarr").zarr).not.toBeNull()
      expect(byPath.get("README.md").asset_id).toBe(realRecords[0]!.asset_id)
    }).pipe(Effect.provide(archive())))

  it.effect("imports a bare array of real asset records as one dandiset", () =>
    Effect.gen(function*() {
      const seed = yield* SeedFile.decode(fixtureText("real/assets-001773.json"))
      const emulator = yield* ArchiveEmulator
      yield* SeedFile.apply(seed)(emulator.admin)
      const list = yield* getJson(`${api}/dandisets/`)
      const identifier = list.results[0].identifier
      const assets = yield* getJson(`${api}/dandisets/${identifier}/versions/draft/assets/?page_size=100`)
      expect(assets.count).toBe(realRecords.length)
      expect(assets.results.map((a: any) => a.path)).toContain("source_data/Source Data FC matrix.xlsx")
    }).pipe(Effect.provide(archive())))

  it.effect("publishes when asked", () =>
    Effect.gen(function*() {
      yield* seedWith({
        users: [{ username: "bob" }],
        dandisets: [{ name: "To publish", owners: ["bob"], publish: true, assets: [{ path: "a.txt", text: "a" }] }]
      })
      const list = yield* getJson(`${api}/dandisets/`)
      const identifier = list.results[0].identifier
      const versions = yield* getJson(`${api}/dandisets/${identifier}/versions/`)
      const names = versions.results.map((v: any) => v.version)
      expect(names).toContain("draft")
      expect(names.some((v: string) => /^0\.\d{6}\.\d{4}$/.test(v))).toBe(true)
    }).pipe(Effect.provide(archive())))

  it.effect("adds synthetic assets with nested NWB paths and listable metadata", () =>
    Effect.gen(function*() {
      yield* seedWith({
        users: [{ username: "carol" }],
        dandisets: [{ identifier: "000200", name: "Big", owners: ["carol"], synthetic: { assets: 2500, seed: 3 } }]
      })
      const page = yield* getJson(`${api}/dandisets/000200/versions/draft/assets/?metadata=1&page_size=1000`)
      expect(page.count).toBe(2500)
      const first = page.results[0]
      expect(first.path).toMatch(/^sub-\d{4}\/sub-\d{4}_ses-\d{3}_[a-z+]+\.nwb$/)
      expect(first.metadata.encodingFormat).toBe("application/x-nwb")
      expect(first.metadata.wasAttributedTo[0].species.name).toMatch(/ - /)
      expect(first.metadata.digest["dandi:dandi-etag"]).toMatch(/^[0-9a-f]{32}-\d+$/)
      const paths = new Set(page.results.map((row: any) => row.path))
      expect(paths.size).toBe(page.results.length)
    }).pipe(Effect.provide(archive())))

  it.effect("scales to 100k synthetic assets", () =>
    Effect.gen(function*() {
      yield* seedWith({
        users: [{ username: "dave" }],
        dandisets: [{ identifier: "000300", name: "Huge", owners: ["dave"], synthetic: { assets: 100_000 } }]
      })
      const page = yield* getJson(`${api}/dandisets/000300/versions/draft/assets/?page_size=1`)
      expect(page.count).toBe(100_000)
    }).pipe(Effect.provide(archive())))
})

describe("SeedFile.decode", () => {
  const failure = (json: unknown) => Effect.map(Effect.flip(SeedFile.decode(JSON.stringify(json))), (e) => e.message)
  const one = (assets: ReadonlyArray<unknown>) => ({
    users: [{ username: "u" }],
    dandisets: [{ name: "d", owners: ["u"], assets }]
  })

  it.effect("names the asset that has no content", () =>
    Effect.gen(function*() {
      expect(yield* failure(one([{ path: "a", text: "x" }, { path: "a" }, { path: "b", text: "y" }, { path: "c" }])))
        .toBe("seed file: dandisets[0].assets[1]: expected one of text, base64 or size+seed")
    }))

  it.effect("requires a seed with a size", () =>
    Effect.gen(function*() {
      expect(yield* failure(one([{ path: "a", size: 10 }]))).toBe(
        "seed file: dandisets[0].assets[0].seed: required with size (any whole number)"
      )
    }))

  it.effect("rejects invalid base64", () =>
    Effect.gen(function*() {
      expect(yield* failure(one([{ path: "a", base64: "***" }]))).toBe(
        "seed file: dandisets[0].assets[0].base64: not valid base64"
      )
    }))

  it.effect("names a bad zarr entry by its key", () =>
    Effect.gen(function*() {
      expect(yield* failure(one([{ path: "z.zarr", zarr: { "0/0": { size: -1, seed: 1 } } }]))).toBe(
        "seed file: dandisets[0].assets[0].zarr[\"0/0\"].size: expected a whole number ≥ 0"
      )
    }))

  it.effect("requires owners to be seeded users", () =>
    Effect.gen(function*() {
      expect(yield* failure({ users: [], dandisets: [{ name: "d", owners: ["ghost"] }] })).toBe(
        "seed file: dandisets[0].owners[0]: unknown user \"ghost\": add it to \"users\""
      )
    }))

  it.effect("refuses to publish a dandiset with a zarr, as the archive does", () =>
    Effect.gen(function*() {
      const seed = one([{ path: "z.zarr", zarr: { ".zgroup": { text: "{}" } } }])
      const message = yield* failure({ ...seed, dandisets: [{ ...seed.dandisets[0], publish: true }] })
      expect(message).toMatch(/^seed file: dandisets\[0\]\.publish: the archive refuses to publish dandisets with zarr/)
    }))

  it.effect("checks identifiers and required names", () =>
    Effect.gen(function*() {
      expect(yield* failure({ dandisets: [{ identifier: "123", name: "d" }] })).toBe(
        "seed file: dandisets[0].identifier: expected six digits, e.g. \"000123\""
      )
      expect(yield* failure({ dandisets: [{ identifier: "000001" }] })).toMatch(/^seed file: dandisets\[0\]\.name: /)
    }))
})
