import { describe, expect, it } from "@effect/vitest"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { Effect, Either } from "effect"
import * as ApiRecords from "@dandi-effect/core/ApiRecords"
import {
  decodeVersion,
  decodeVersionInfo,
  RemoteAssetValidationError,
  RemoteValidationError,
  VersionInfo
} from "@dandi-effect/core/Version"
import { admin, bytes, collect, harness, resetLog, seedAssets, seedDandiset, sentTo } from "./support/ApiHarness.js"

describe("RemoteDandiset versions and metadata", () => {
  it.effect("getVersions lists draft and published; getVersion returns validation info", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Versioned")
      const { version } = yield* (yield* admin).publish(id)
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const versions = yield* collect(dandiset.getVersions("-created"))
      expect(versions.map((v) => v.identifier)).toEqual([version, "draft"])
      const info = yield* dandiset.getVersion("draft")
      expect(info.identifier).toBe("draft")
      expect(Array.isArray(info.versionValidationErrors)).toBe(true)
      expect(Array.isArray(info.assetValidationErrors)).toBe(true)
      const other = yield* dandiset.forVersion("draft")
      expect(yield* other.versionId).toBe("draft")
    }).pipe(Effect.provide(harness())))

  it.effect("getRawMetadata and typed getMetadata read the version's metadata", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Metadata")
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const raw = yield* dandiset.getRawMetadata()
      expect(raw.name).toBe("Metadata")
      expect(raw.identifier).toBe(`DANDI:${id}`)
      const typed = yield* dandiset.getMetadataLenient()
      expect(typed.value.name).toBe("Metadata")
    }).pipe(Effect.provide(harness())))

  it.effect("getOwners lists the owners", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Owned")
      const api = yield* DandiApi
      const owners = yield* (yield* api.getDandiset(id)).getOwners()
      expect(owners.map((o) => o.username)).toEqual(["owner"])
    }).pipe(Effect.provide(harness())))
})

describe("RemoteDandiset assets", () => {
  it.effect("getAssets pages through every asset with metadata inline: no request per asset", () =>
    Effect.gen(function*() {
      const id = yield* seedAssets
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      yield* resetLog
      const assets = yield* collect(dandiset.getAssets("path"))
      expect(assets.map((a) => a.path)).toEqual(["Sub-1/upper.nwb", "a.txt", "sub-1/x.nwb", "sub-1/y.nwb", "sub-10/z.nwb"])
      const listings = yield* sentTo(`/versions/draft/assets/`)
      expect(listings.length).toBe(3) // 5 assets, 2 per page
      expect(listings.every((r) => new URLSearchParams(r.url.split("?")[1]).get("metadata") === "true")).toBe(true)
      const metadata = yield* Effect.forEach(assets, (a) => a.getRawMetadata())
      expect(metadata.map((m) => m.path)).toEqual(assets.map((a) => a.path))
      const digests = yield* Effect.forEach(assets, (a) => a.getDigest())
      expect(digests.every((d) => d.algorithm === "dandi:dandi-etag" && /^[0-9a-f]{32}-1$/.test(d.value))).toBe(true)
      expect(yield* sentTo("")).toHaveLength(3)
    }).pipe(Effect.provide(harness({ pageSize: 2 }))))

  it.effect("getAssetByPath matches exactly and case-sensitively", () =>
    Effect.gen(function*() {
      const id = yield* seedAssets
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const asset = yield* dandiset.getAssetByPath("sub-1/x.nwb")
      expect(asset.path).toBe("sub-1/x.nwb")
      expect(asset.dandisetId).toBe(id)
      expect(asset.versionId).toBe("draft")
      const upper = yield* dandiset.getAssetByPath("./Sub-1/upper.nwb")
      expect(upper.path).toBe("Sub-1/upper.nwb")
      const error = yield* Effect.flip(dandiset.getAssetByPath("SUB-1/x.nwb"))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain("'SUB-1/x.nwb'")
      expect(error.message).toContain("ls")
    }).pipe(Effect.provide(harness())))

  it.effect("path prefix and glob queries", () =>
    Effect.gen(function*() {
      const id = yield* seedAssets
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const prefixed = yield* collect(dandiset.getAssetsWithPathPrefix("sub-1/", "path"))
      expect(prefixed.map((a) => a.path)).toEqual(["Sub-1/upper.nwb", "sub-1/x.nwb", "sub-1/y.nwb"])
      const globbed = yield* collect(dandiset.getAssetsByGlob("*/z.nwb"))
      expect(globbed.map((a) => a.path)).toEqual(["sub-10/z.nwb"])
    }).pipe(Effect.provide(harness())))

  it.effect("getAsset by id in a version, and at top level", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("By id")
      const { assetId, blobId } = yield* (yield* admin).addBlobAsset(id, "data/file.bin", bytes("hello"))
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const asset = yield* dandiset.getAsset(assetId)
      expect(asset.identifier).toBe(assetId)
      expect(asset.apiPath).toBe(`/dandisets/${id}/versions/draft/assets/${assetId}/`)
      expect(asset.jsonDict()).toEqual({
        asset_id: assetId,
        path: "data/file.bin",
        size: 5,
        created: asset.created,
        modified: asset.modified,
        blob: blobId
      })
      const base = yield* api.getAsset(assetId)
      expect(base.apiPath).toBe(`/assets/${assetId}/`)
      expect(base.baseDownloadUrl).toBe(`http://api.dandi.test/api/assets/${assetId}/download/`)
      expect(String(base)).toBe(`DANDI:assets/${assetId}`)
      expect(base.assetType).toBe(1)
    }).pipe(Effect.provide(harness())))

  it.effect("unknown asset ids fail with NotFoundError naming the id", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Missing")
      const api = yield* DandiApi
      const missing = "00000000-0000-4000-8000-000000000000"
      const topLevel = yield* Effect.flip(api.getAsset(missing))
      expect(topLevel._tag).toBe("NotFoundError")
      expect(topLevel.message).toContain(`'${missing}'`)
      const inVersion = yield* Effect.flip(Effect.flatMap(api.getDandiset(id), (d) => d.getAsset(missing)))
      expect(inVersion._tag).toBe("NotFoundError")
      expect(inVersion.message).toBe(`No such asset: '${missing}' for DANDI:${id}/draft`)
    }).pipe(Effect.provide(harness())))

  it.effect("a missing digest type is a NotFoundError that names it", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Digest")
      const { assetId } = yield* (yield* admin).addBlobAsset(id, "f.txt", bytes("x"))
      const api = yield* DandiApi
      const asset = yield* (yield* api.getDandiset(id)).getAsset(assetId)
      const error = yield* Effect.flip(asset.getRawDigest("dandi:blake3"))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain("dandi:blake3")
    }).pipe(Effect.provide(harness())))

  it.effect("getFolder lists one level with aggregate sizes", () =>
    Effect.gen(function*() {
      const id = yield* seedAssets
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      const root = yield* collect(dandiset.getFolder())
      const byPath = Object.fromEntries(root.map((e) => [e.path, e]))
      expect(Object.keys(byPath).sort()).toEqual(["Sub-1", "a.txt", "sub-1", "sub-10"])
      expect(byPath["sub-1"]!.aggregate_files).toBe(2)
      expect(byPath["sub-1"]!.aggregate_size).toBe(
        "content of sub-1/x.nwb".length + "content of sub-1/y.nwb".length
      )
      expect(byPath["a.txt"]!.asset).not.toBeNull()
      const inner = yield* collect(dandiset.getFolder("sub-1"))
      expect(inner.map((e) => e.path)).toEqual(["sub-1/x.nwb", "sub-1/y.nwb"])
    }).pipe(Effect.provide(harness())))
})


describe("RemoteDandiset record accessors", () => {
  it.effect("paths, embargo status, typed metadata and refresh", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Accessors")
      const api = yield* DandiApi
      const dandiset = yield* api.getDandiset(id)
      expect(dandiset.apiUrl).toBe(`http://api.dandi.test/api/dandisets/${id}/`)
      expect(yield* dandiset.versionApiUrl).toBe(`http://api.dandi.test/api/dandisets/${id}/versions/draft/`)
      expect(yield* dandiset.embargoStatus).toBe("OPEN")
      expect(String(dandiset)).toBe(`DANDI:${id}/draft`)
      const metadata = yield* dandiset.getMetadata()
      expect(metadata.name).toBe("Accessors")
      const { version } = yield* (yield* admin).publish(id)
      // the held record is a snapshot; refresh reads the server again and keeps the version
      expect(yield* dandiset.mostRecentPublishedVersion).toBeNull()
      yield* resetLog
      const refreshed = yield* dandiset.refresh()
      expect(yield* sentTo(`/dandisets/${id}/`)).toHaveLength(1)
      expect(yield* refreshed.versionId).toBe("draft")
      expect((yield* refreshed.mostRecentPublishedVersion)?.identifier).toBe(version)
    }).pipe(Effect.provide(harness())))
})

describe("VersionInfo", () => {
  it("decodes the server's /info/ shape (server-contract §2.4) and re-encodes the version part", () => {
    const wire = {
      version: "draft",
      name: "My dataset",
      asset_count: 1,
      active_uploads: 0,
      size: 100,
      status: "Invalid",
      created: "2024-05-02T10:11:12.400000Z",
      modified: "2024-05-02T10:11:12.400000Z",
      dandiset: {
        identifier: "000123",
        created: "2024-05-01T09:00:00.000000Z",
        modified: "2024-05-02T10:11:12.400000Z",
        contact_person: "Doe, John",
        embargo_status: "OPEN"
      },
      release_notes: "",
      asset_validation_errors: [
        { field: "", message: "asset is currently being validated, please wait.", path: "sub-01/sub-01_ecephys.nwb" }
      ],
      version_validation_errors: [{ field: "", message: "'description' is a required property" }],
      metadata: {},
      contact_person: "Doe, John"
    }
    const info = Effect.runSync(decodeVersionInfo(wire))
    expect(info).toBeInstanceOf(VersionInfo)
    expect(info.status).toBe("Invalid")
    expect(info.assetValidationErrors[0]!.path).toBe("sub-01/sub-01_ecephys.nwb")
    expect(info.versionValidationErrors[0]!.jsonDict()).toEqual({ field: "", message: "'description' is a required property" })
    expect(info.version.jsonDict()).toEqual({
      version: "draft",
      name: "My dataset",
      asset_count: 1,
      size: 100,
      created: "2024-05-02T10:11:12.400000Z",
      modified: "2024-05-02T10:11:12.400000Z",
      status: "Invalid"
    })
    expect(String(info.version)).toBe("draft")
  })

  it("validation problems are the wire classes themselves: one definition, given back as the server sent them", () => {
    expect(RemoteValidationError).toBe(ApiRecords.VersionValidationError)
    expect(RemoteAssetValidationError).toBe(ApiRecords.AssetValidationError)
    const wire = {
      version: "draft",
      name: "x",
      asset_count: 2,
      size: 2,
      status: "Invalid",
      created: "2024-05-02T10:11:12.400000Z",
      modified: "2024-05-02T10:11:12.400000Z",
      asset_validation_errors: [
        { field: "encodingFormat", message: "required", path: "a.nwb" },
        { field: "", message: "being validated" }
      ],
      version_validation_errors: [{ field: "description", message: "required" }]
    }
    const info = Effect.runSync(decodeVersionInfo(wire))
    expect(info.assetValidationErrors[0]).toBeInstanceOf(RemoteAssetValidationError)
    expect(info.versionValidationErrors[0]).toBeInstanceOf(RemoteValidationError)
    expect(info.jsonDict().asset_validation_errors).toEqual(wire.asset_validation_errors)
    expect(info.jsonDict().version_validation_errors).toEqual(wire.version_validation_errors)
  })

  it("refuses a status outside the six lifecycle states", () => {
    const result = Effect.runSync(Effect.either(decodeVersion({
      version: "draft",
      name: "x",
      asset_count: 0,
      size: 0,
      status: "Done",
      created: "2024-05-02T10:11:12.400000Z",
      modified: "2024-05-02T10:11:12.400000Z"
    })))
    expect(Either.isLeft(result)).toBe(true)
  })
})
