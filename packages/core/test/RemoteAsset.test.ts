import { describe, expect, it } from "@effect/vitest"
import { AssetRecord } from "@dandi-effect/core/ApiRecords"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import { AssetType, fromRecord, RemoteBlobAsset, RemoteZarrAsset } from "@dandi-effect/core/RemoteAsset"
import { Effect, Either, Schema } from "effect"
import { admin, apiUrl, bytes, collect, harness, resetLog, seedDandiset, sentTo } from "./support/ApiHarness.js"

const md5Hex = (text: string) => {
  const hash = Hasher.portable.create("md5")
  hash.update(new TextEncoder().encode(text))
  return Hasher.toHex(hash.digest())
}

const seedBlob = Effect.gen(function*() {
  const id = yield* seedDandiset("Blob")
  const seeded = yield* (yield* admin).addBlobAsset(id, "sub-1/data.bin", bytes("0123456789"))
  const api = yield* DandiApi
  const asset = yield* (yield* api.getDandiset(id)).getAsset(seeded.assetId)
  return { id, asset, ...seeded }
})

describe("RemoteBlobAsset", () => {
  it.effect("exposes paths, URLs and type", () =>
    Effect.gen(function*() {
      const { asset, assetId, id } = yield* seedBlob
      expect(asset).toBeInstanceOf(RemoteBlobAsset)
      expect(asset.assetType).toBe(AssetType.BLOB)
      expect(asset.digestType).toBe("dandi:dandi-etag")
      expect(asset.apiUrl).toBe(`${apiUrl}/dandisets/${id}/versions/draft/assets/${assetId}/`)
      expect((asset as RemoteBlobAsset).downloadUrl).toBe(
        `${apiUrl}/dandisets/${id}/versions/draft/assets/${assetId}/download/`
      )
      expect(asset.createdAt.getTime()).not.toBeNaN()
    }).pipe(Effect.provide(harness())))

  it.effect("fetches metadata from its API path when the record carries none", () =>
    Effect.gen(function*() {
      const { asset, assetId, id } = yield* seedBlob
      const bare = Schema.decodeUnknownSync(AssetRecord)({ ...Schema.encodeSync(AssetRecord)(asset.record), metadata: undefined })
      const { metadata: _, ...withoutMetadata } = Schema.encodeSync(AssetRecord)(bare)
      const record = Schema.decodeUnknownSync(AssetRecord)(withoutMetadata)
      // A record built by hand on the backend of one the facade made.
      const listed = Either.getOrThrow(fromRecord(asset.backend, id, "draft", record))
      yield* resetLog
      const metadata = yield* listed.getRawMetadata()
      expect(metadata.path).toBe("sub-1/data.bin")
      expect(yield* sentTo(`/versions/draft/assets/${assetId}/`)).toHaveLength(1)
      const typed = yield* listed.getMetadataLenient()
      expect(typed.value.contentSize).toBe(10)
      const strict = yield* listed.getMetadata()
      expect(strict.path).toBe("sub-1/data.bin")
    }).pipe(Effect.provide(harness())))

  it.effect("digests: dandi-etag by default, sha256 by name", () =>
    Effect.gen(function*() {
      const { asset } = yield* seedBlob
      yield* (yield* admin).runBackgroundJobs
      const digest = yield* asset.getDigest()
      // one part: md5 of the part's md5, then "-1" (spec §8.1)
      const partMd5 = md5Hex("0123456789")
      const hash = Hasher.portable.create("md5")
      hash.update(Uint8Array.from(partMd5.match(/../g)!.map((h) => parseInt(h, 16))))
      expect(digest).toEqual({ algorithm: "dandi:dandi-etag", value: `${Hasher.toHex(hash.digest())}-1` })
      const sha = Hasher.portable.create("sha256")
      sha.update(new TextEncoder().encode("0123456789"))
      const fresh = yield* (yield* DandiApi).getAsset(asset.identifier)
      expect(yield* fresh.getRawDigest("dandi:sha2-256")).toBe(Hasher.toHex(sha.digest()))
    }).pipe(Effect.provide(harness())))

  it.effect("getContentUrl picks by regex and resolves the download redirect without leaking the token", () =>
    Effect.gen(function*() {
      const { asset, assetId } = yield* seedBlob
      const first = yield* asset.getContentUrl()
      expect(first).toBe(`${apiUrl}/assets/${assetId}/download/`)
      const storage = yield* asset.getContentUrl({ regex: "s3\\.dandi\\.test" })
      expect(storage.startsWith("http://s3.dandi.test/")).toBe(true)
      yield* resetLog
      const followed = yield* asset.getContentUrl({ followRedirects: 1 })
      expect(followed.startsWith("http://s3.dandi.test/")).toBe(true)
      expect(followed).toContain("?")
      const stripped = yield* asset.getContentUrl({ followRedirects: true, stripQuery: true })
      expect(stripped.startsWith("http://s3.dandi.test/")).toBe(true)
      expect(stripped).not.toContain("?")
      const sent = yield* sentTo("")
      const toApi = sent.filter((r) => r.url.startsWith(apiUrl))
      const toStorage = sent.filter((r) => r.url.startsWith("http://s3.dandi.test"))
      expect(toApi.length).toBeGreaterThan(0)
      expect(toApi.every((r) => r.authorization === "token owner-token")).toBe(true)
      expect(toStorage.length).toBeGreaterThan(0)
      expect(toStorage.every((r) => r.authorization === undefined)).toBe(true)
    }).pipe(Effect.provide(harness({ token: "owner-token" }))))

  it.effect("getContentUrl searches each URL from its start whatever the flags: a sticky or global regex still matches", () =>
    Effect.gen(function*() {
      const { asset } = yield* seedBlob
      expect((yield* asset.getContentUrl({ regex: /s3\.dandi\.test/y })).startsWith("http://s3.dandi.test/")).toBe(true)
      const global = /s3\.dandi\.test/g
      expect((yield* asset.getContentUrl({ regex: global })).startsWith("http://s3.dandi.test/")).toBe(true)
      expect((yield* asset.getContentUrl({ regex: global })).startsWith("http://s3.dandi.test/")).toBe(true)
    }).pipe(Effect.provide(harness())))

  it.effect("getContentUrl with a regex nothing matches is a NotFoundError", () =>
    Effect.gen(function*() {
      const { asset } = yield* seedBlob
      const error = yield* Effect.flip(asset.getContentUrl({ regex: "nowhere\\.example" }))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain("No matching URL found in asset's contentUrl metadata field")
    }).pipe(Effect.provide(harness())))
})

const zarrEntries = {
  ".zattrs": bytes("{}"),
  "0/0": bytes("chunk-00"),
  "0/1": bytes("chunk-01"),
  "0.5/x": bytes("half"),
  "1/0": bytes("chunk-10")
}

const seedZarr = Effect.gen(function*() {
  const id = yield* seedDandiset("Zarr")
  const seeded = yield* (yield* admin).addZarrAsset(id, "sample.zarr", zarrEntries)
  const api = yield* DandiApi
  const dandiset = yield* api.getDandiset(id)
  const asset = yield* dandiset.getAssetByPath("sample.zarr")
  return { id, dandiset, asset, ...seeded }
})

describe("RemoteZarrAsset", () => {
  it.effect("is a zarr asset with the zarr checksum as primary digest", () =>
    Effect.gen(function*() {
      const { asset, zarrId } = yield* seedZarr
      expect(asset).toBeInstanceOf(RemoteZarrAsset)
      expect(asset.assetType).toBe(AssetType.ZARR)
      expect(asset.digestType).toBe("dandi:dandi-zarr-checksum")
      expect(asset.jsonDict()).toMatchObject({ zarr: zarrId, path: "sample.zarr" })
      const digest = yield* asset.getDigest()
      expect(digest.value).toMatch(/^[0-9a-f]{32}-5--\d+$/)
    }).pipe(Effect.provide(harness())))

  it.effect("iterfiles lists every entry in key order, with md5 digests and sizes", () =>
    Effect.gen(function*() {
      const { asset } = yield* seedZarr
      if (!(asset instanceof RemoteZarrAsset)) throw new Error("expected a zarr asset")
      const entries = yield* collect(asset.iterfiles())
      expect(entries.map(String)).toEqual([".zattrs", "0.5/x", "0/0", "0/1", "1/0"])
      const chunk = entries.find((e) => e.path === "0/1")!
      expect(chunk.digest).toEqual({ algorithm: "dandi:md5", value: md5Hex("chunk-01") })
      expect(chunk.size).toBe("chunk-01".length)
      // the server's prefix is a raw key prefix: "0" also matches "0.5/x"
      const underZero = yield* collect(asset.iterfiles("0"))
      expect(underZero.map(String)).toEqual(["0.5/x", "0/0", "0/1"])
    }).pipe(Effect.provide(harness())))

  it.effect("getEntryByPath wants an exact key", () =>
    Effect.gen(function*() {
      const { asset } = yield* seedZarr
      if (!(asset instanceof RemoteZarrAsset)) throw new Error("expected a zarr asset")
      const entry = yield* asset.getEntryByPath("0/1")
      expect(entry.path).toBe("0/1")
      const error = yield* Effect.flip(asset.getEntryByPath("0"))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain("No entry at path '0'")
    }).pipe(Effect.provide(harness())))

  it.effect("iterfiles follows the cursor past the server's 1000-key page", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Big zarr")
      const entries: Record<string, { readonly _tag: "Generated"; readonly size: number; readonly seed: number }> = {}
      for (let i = 0; i < 1003; i++) entries[`c/${String(i).padStart(4, "0")}`] = { _tag: "Generated", size: 1, seed: i }
      const { assetId } = yield* (yield* admin).addZarrAsset(id, "big.zarr", entries)
      const api = yield* DandiApi
      const asset = yield* api.getAsset(assetId)
      if (asset.assetType !== AssetType.ZARR) throw new Error("expected a zarr asset")
      yield* resetLog
      const listed = yield* collect((asset as RemoteZarrAsset).iterfiles())
      expect(listed).toHaveLength(1003)
      expect(listed[1002]!.path).toBe("c/1002")
      expect((yield* sentTo("/files/")).length).toBe(2)
    }).pipe(Effect.provide(harness())))

  it.effect("the dandiset lists its zarr archives", () =>
    Effect.gen(function*() {
      const { dandiset, zarrId } = yield* seedZarr
      const zarrs = yield* collect(dandiset.getZarrs())
      expect(zarrs.map((z) => z.zarr_id)).toEqual([zarrId])
      expect(zarrs[0]!.file_count).toBe(5)
    }).pipe(Effect.provide(harness())))
})
