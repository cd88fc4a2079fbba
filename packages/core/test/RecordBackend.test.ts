/**
 * Records carry the backend of the client that made them: their API methods need no service, a
 * record always talks to the archive it came from (two archives in one program), and the backend
 * is no part of the record's value (equality, hash, printing, JSON, spreads).
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Equal, Hash, Layer, Stream } from "effect"
import { inspect } from "node:util"

const key = "feedface00feedface00feedface00feedface00"

/** One archive (its own emulator) with the SDK over it, authenticated with `key`. */
const archive = (name: string) =>
  DandiApi.layer({
    instance: { name, gui: null, api: InProcessHttp.defaultApiUrl },
    discover: false,
    token: key,
    validateToken: false
  }).pipe(
    Layer.provideMerge(TokenStore.layerMemory),
    Layer.provideMerge(InProcessHttp.layerInProcess()),
    Layer.provideMerge(Hasher.layerPortable),
    Layer.orDie
  )

/** Builds an archive and seeds dandiset 000001 named `title`, with one asset; returns its context. */
const openArchive = (name: string, title: string) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(archive(name))
    const { admin } = Context.get(context, ArchiveEmulator)
    yield* admin.addUser({ username: "owner", token: key })
    yield* admin.createDandiset({ identifier: "000001", name: title, owners: ["owner"] })
    const { assetId } = yield* admin.addBlobAsset("000001", `${name}/data.bin`, {
      _tag: "Bytes",
      bytes: new TextEncoder().encode(title)
    })
    return { api: Context.get(context, DandiApi.DandiApi), assetId, context }
  })

/** What a record shows of itself, every way it can be shown. */
const shown = (record: RemoteDandiset | BaseRemoteAsset): string =>
  [String(record), JSON.stringify(record), inspect(record, { depth: 10 }), JSON.stringify({ ...record })].join("\n")

describe("records carry their client's backend", () => {
  it.scoped("records of two archives in one program each talk to their own archive, with no service provided", () =>
    Effect.gen(function*() {
      const a = yield* openArchive("emu-a", "Dandiset on archive A")
      const b = yield* openArchive("emu-b", "Dandiset on archive B")
      const onA = yield* a.api.getDandiset("000001", "draft", { lazy: true })
      const onB = yield* b.api.getDandiset("000001", "draft", { lazy: true })
      // No DandiApi in this program's context: each record uses the backend it carries.
      const [metadataA, metadataB] = yield* Effect.all([onA.getRawMetadata(), onB.getRawMetadata()])
      expect(metadataA.name).toBe("Dandiset on archive A")
      expect(metadataB.name).toBe("Dandiset on archive B")
      const assetsOfB = yield* Stream.runCollect(onB.getAssets("path"))
      expect(Array.from(assetsOfB, (asset) => asset.path)).toEqual(["emu-b/data.bin"])
      // A child record keeps its parent's archive.
      const [asset] = assetsOfB
      const renamed = yield* asset!.rename("emu-b/renamed.bin")
      const onArchiveB = yield* Stream.runCollect(onB.getAssets("path"))
      expect(Array.from(onArchiveB, (listed) => listed.path)).toEqual(["emu-b/renamed.bin"])
      expect(Array.from(yield* Stream.runCollect(onA.getAssets("path")), (listed) => listed.path)).toEqual(["emu-a/data.bin"])
      expect(String(renamed)).toBe(`EMU-B:assets/${renamed.identifier}`)
      // The same identifiers on two archives are two different records.
      expect(Equal.equals(onA, onB)).toBe(false)
    }))

  it.scoped("two fetches of a record are Equal and hash alike, whichever facade of the client made them", () =>
    Effect.gen(function*() {
      const { api, assetId, context } = yield* openArchive("emu", "Same twice")
      // A second facade over the same client: a backend object of its own.
      const again = yield* DandiApi.make.pipe(Effect.provide(context))
      const first = yield* api.getDandiset("000001")
      const second = yield* again.getDandiset("000001")
      expect(first.backend).not.toBe(second.backend)
      expect(Equal.equals(first, second)).toBe(true)
      expect(Hash.hash(first)).toBe(Hash.hash(second))
      const lazyFirst = yield* api.getDandiset("000001", "draft", { lazy: true })
      const lazySecond = yield* again.getDandiset("000001", "draft", { lazy: true })
      expect(Equal.equals(lazyFirst, lazySecond)).toBe(true)
      expect(Hash.hash(lazyFirst)).toBe(Hash.hash(lazySecond))
      // (Assets hold their metadata as plain JSON, which Effect compares by reference; that
      // was so before records carried a backend.)
      expect((yield* first.getAsset(assetId)).backend).toBe(first.backend)
      // A copy made by a record method keeps the backend (and still talks to the archive).
      const lazy = yield* api.getDandiset("000001", undefined, { lazy: true })
      const loaded = yield* lazy.load
      expect(loaded.backend).toBe(lazy.backend)
      expect((yield* loaded.getRawMetadata()).name).toBe("Same twice")
    }))

  it.scoped("the backend, and the key behind it, never show in a record's string, JSON, inspection or spread", () =>
    Effect.gen(function*() {
      const { api, assetId } = yield* openArchive("emu", "Shown")
      const dandiset = yield* api.getDandiset("000001")
      const asset = yield* dandiset.getAsset(assetId)
      const base = yield* api.getAsset(assetId)
      for (const record of [dandiset, asset, base]) {
        expect(Object.keys(record)).not.toContain("backend")
        expect(typeof record.backend.fetchAssetMetadata).toBe("function")
        const text = shown(record)
        expect(text).not.toContain(key)
        expect(text).not.toContain("backend")
        expect(text).not.toContain("fetchAssetMetadata")
      }
      expect(String(dandiset)).toBe("EMU:000001/draft")
      expect(String(asset)).toBe(`EMU:assets/${assetId}`)
      // An error a record's method fails with names the record, never the key.
      const missing = yield* Effect.flip(dandiset.getAsset("0b5e5c1e-0000-4000-8000-000000000000"))
      expect(`${String(missing)}\n${JSON.stringify(missing)}\n${inspect(missing)}`).not.toContain(key)
      expect(missing.message).toContain("EMU:000001/draft")
    }))
})
