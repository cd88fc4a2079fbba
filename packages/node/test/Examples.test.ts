/**
 * The examples in examples/ (shown in the README) run as written against the loopback emulator
 * through NodeDandi.layer, so the README's code stays true.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeDandi from "@dandi-effect/node/NodeDandi"
import { describe, expect, layer, vi } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Layer, Stream } from "effect"
import { assetsMeasuredWith } from "../../../examples/FindAssetsByTechnique.js"
import { inspectDandiset } from "../../../examples/InspectDandiset.js"
import { listAssets } from "../../../examples/ListAssets.js"

const text = (value: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(value) }) as const
const technique = (name: string) => ({ measurementTechnique: [{ schemaKey: "MeasurementTechniqueType", name }] })

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: "owner-key" })
      yield* admin.createDandiset({ identifier: "000001", name: "Imaging study", owners: ["owner"] })
      yield* admin.addBlobAsset("000001", "sub-1/sub-1_ophys.nwb", text("two-photon frames"), technique("two-photon microscopy technique"))
      yield* admin.addBlobAsset("000001", "sub-1/sub-1_ecephys.nwb", text("spikes"), technique("spike sorting technique"))
      yield* admin.publish("000001")
      // A later draft-only asset must not appear: the example reads the published version.
      yield* admin.addBlobAsset("000001", "sub-2/sub-2_ophys.nwb", text("more frames"), technique("two-photon microscopy technique"))
      yield* admin.createDandiset({ identifier: "000002", name: "Never published", owners: ["owner"] })
      yield* admin.addBlobAsset("000002", "sub-9/sub-9_ophys.nwb", text("unpublished"), technique("two-photon microscopy technique"))
      yield* admin.createDandiset({ identifier: "000027", name: "README study", owners: ["owner"] })
      yield* admin.addBlobAsset("000027", "sub-RAT123/sub-RAT123.nwb", text("eighteen bytes!!!!"))
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

const sdk = Layer.unwrapEffect(
  Effect.map(LoopbackServer.LoopbackEmulator, ({ apiUrl }) =>
    NodeDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStore.layerMemory })
  )
)

layer(Layer.provideMerge(sdk, server), { excludeTestServices: true })("README examples", (it) => {
  describe("FindAssetsByTechnique", () => {
    it.effect("finds only published assets whose metadata names the technique", () =>
      Effect.gen(function*() {
        const found = yield* Stream.runCollect(assetsMeasuredWith("two-photon"))
        expect(Chunk.toReadonlyArray(found).map((asset) => asset.path)).toEqual(["sub-1/sub-1_ophys.nwb"])
      }))
  })

  describe("ListAssets (the README's first example)", () => {
    it.effect("prints each asset's path and size, anonymously when no key is configured", () =>
      Effect.gen(function*() {
        // Effect's default Console writes through globalThis.console; record what it prints.
        const lines: Array<string> = []
        const spy = vi.spyOn(globalThis.console, "log").mockImplementation((...args: Array<unknown>) => {
          lines.push(args.join(" "))
        })
        yield* listAssets("000027").pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
          Effect.ensuring(Effect.sync(() => spy.mockRestore()))
        )
        expect(lines).toEqual(["sub-RAT123/sub-RAT123.nwb 18"])
      }))
  })

  describe("InspectDandiset", () => {
    it.effect("reports versions, the top-level tree, and an asset's digest and storage URL", () =>
      Effect.gen(function*() {
        const { apiUrl, storageUrl } = yield* LoopbackServer.LoopbackEmulator
        const report = yield* inspectDandiset("000001", "sub-1/sub-1_ophys.nwb")
        expect(report.name).toBe("Imaging study")
        expect(report.versions).toHaveLength(2)
        expect(report.versions).toContain("draft")
        expect(report.topLevel).toEqual([
          { path: "sub-1", files: 2, bytes: "two-photon frames".length + "spikes".length },
          { path: "sub-2", files: 1, bytes: "more frames".length }
        ])
        expect(report.etag).toMatch(/^[0-9a-f]{32}-1$/)
        expect(report.storageUrl.startsWith(storageUrl)).toBe(true)
        expect(report.storageUrl.startsWith(apiUrl)).toBe(false)
        expect(report.storageUrl).not.toContain("?")
      }))
  })
})

/**
 * The same examples against the built-in demo archive (`dandi-effect emulator --seed demo`),
 * with the arguments a user trying them there would pass: each one has something to show.
 */
const demoArchive = Layer.unwrapEffect(
  Effect.map(LoopbackServer.LoopbackEmulator, ({ apiUrl }) =>
    NodeDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStore.layerMemory })
  )
).pipe(
  Layer.provideMerge(
    LoopbackServer.layer({ seed: DemoSeed.apply() }).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)
  )
)

layer(demoArchive, { excludeTestServices: true })("examples against the demo seed", (it) => {
  it.effect("FindAssetsByTechnique finds the published ecephys sessions, and behaviour in one of them", () =>
    Effect.gen(function*() {
      const ecephys = Chunk.toReadonlyArray(yield* Stream.runCollect(assetsMeasuredWith("extracellular electrophysiology")))
      expect(ecephys.map((asset) => asset.path).sort()).toEqual(DemoSeed.demoBlobs.map((blob) => blob.path).sort())
      const behaviour = Chunk.toReadonlyArray(yield* Stream.runCollect(assetsMeasuredWith("behavioral")))
      expect(behaviour.map((asset) => asset.path)).toEqual(["sub-anm001/sub-anm001_ses-20240101_behavior+ecephys.nwb"])
    }))

  it.effect("InspectDandiset shows 000001's versions, folders and README", () =>
    Effect.gen(function*() {
      const report = yield* inspectDandiset("000001", "README.md")
      expect(report.name).toBe("Demo: mouse ecephys sessions")
      expect(report.versions).toHaveLength(2)
      expect(report.topLevel.map((entry) => entry.path)).toEqual(expect.arrayContaining(["sub-anm001", "sub-anm002", "README.md"]))
      expect(report.etag).toMatch(/^[0-9a-f]{32}-1$/)
    }))
})
