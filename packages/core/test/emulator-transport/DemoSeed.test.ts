import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as SeedFile from "@dandi-effect/core/testing/SeedFile"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

const api = InProcessHttp.defaultApiUrl

const getJson = (url: string) =>
  Effect.flatMap(HttpClient.get(url), (r) => r.json) as Effect.Effect<any, unknown, HttpClient.HttpClient>

const demo = Effect.gen(function*() {
  const { admin } = yield* ArchiveEmulator
  for (const user of SeedFile.tokenUsers(["k1", "k2"])) yield* admin.addUser(user)
  yield* DemoSeed.apply(["user-1", "user-2"])(admin)
})

describe("DemoSeed", () => {
  it.effect("seeds 000001 (published + draft with a zarr) and 000002 (empty draft), owned by token users", () =>
    Effect.gen(function*() {
      yield* demo
      const list = yield* getJson(`${api}/dandisets/`)
      expect(list.results.map((d: any) => d.identifier)).toEqual(["000001", "000002"])

      const versions = yield* getJson(`${api}/dandisets/000001/versions/`)
      const published = versions.results.filter((v: any) => v.version !== "draft")
      expect(published).toHaveLength(1)
      const publishedAssets = yield* getJson(`${api}/dandisets/000001/versions/${published[0].version}/assets/`)
      const draftAssets = yield* getJson(`${api}/dandisets/000001/versions/draft/assets/`)
      expect(publishedAssets.results.every((a: any) => a.zarr === null)).toBe(true)
      const zarrs = draftAssets.results.filter((a: any) => a.zarr !== null)
      expect(zarrs.map((a: any) => a.path)).toEqual([DemoSeed.demoZarrPath])
      expect(draftAssets.results.some((a: any) => a.path.includes("/"))).toBe(true)

      const empty = yield* getJson(`${api}/dandisets/000002/versions/draft/assets/`)
      expect(empty.results).toEqual([])
      for (const identifier of ["000001", "000002"]) {
        const owners = yield* getJson(`${api}/dandisets/${identifier}/users/`)
        expect(owners.map((o: any) => o.username)).toEqual(expect.arrayContaining(["user-1", "user-2"]))
      }
    }).pipe(Effect.provide(InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable)))))

  it.effect("lists zarr entries of the demo zarr with their real sizes", () =>
    Effect.gen(function*() {
      yield* demo
      const draftAssets = yield* getJson(`${api}/dandisets/000001/versions/draft/assets/?path=${DemoSeed.demoZarrPath}`)
      const zarrId = draftAssets.results[0].zarr
      const files = yield* getJson(`${api}/zarr/${zarrId}/files/`)
      const keys = files.results.map((f: any) => f.Key)
      expect(keys).toEqual(expect.arrayContaining([".zgroup", "0/.zarray", "0/0.0.0"]))
      expect(files.results.find((f: any) => f.Key === "0/0.0.0").Size).toBe(8192)
    }).pipe(Effect.provide(InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable)))))
})
