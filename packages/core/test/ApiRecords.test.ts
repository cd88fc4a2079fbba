import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as ApiRecords from "@dandi-effect/core/ApiRecords"
import { realAssetRecords } from "./fixtures-support/RepositoryFixtures.js"

/** Decodes, re-encodes and returns both, so each test can assert the round trip is exact. */
const roundTrip = <A, I>(schema: Schema.Schema<A, I>, input: unknown) => {
  const decoded = Schema.decodeUnknownSync(schema)(input)
  const encoded = Schema.encodeSync(schema)(decoded)
  return { decoded, encoded }
}

// Spec server-contract §2.1 (list item).
const dandisetListItem = {
  identifier: "000003",
  created: "2024-02-17T18:00:59.741000Z",
  modified: "2024-02-17T18:00:59.741000Z",
  contact_person: "Senzai, Yuta",
  embargo_status: "OPEN",
  star_count: 2,
  is_starred: false,
  most_recent_published_version: {
    version: "0.240301.1523",
    name: "Physiological Properties and Behavioral Correlates of Hippocampal Granule Cells and Mossy Cells",
    asset_count: 3,
    size: 1849217,
    status: "Valid",
    created: "2024-03-01T15:23:10.112000Z",
    modified: "2024-03-01T15:23:11.908000Z"
  },
  draft_version: {
    version: "draft",
    name: "Physiological Properties and Behavioral Correlates of Hippocampal Granule Cells and Mossy Cells",
    asset_count: 3,
    size: 1849217,
    status: "Published",
    created: "2024-02-17T18:01:00.806000Z",
    modified: "2024-03-01T15:23:11.951000Z"
  }
}

// Spec §2.2 (detail).
const dandisetDetail = {
  identifier: "000123",
  created: "2024-05-02T10:11:12.345678Z",
  modified: "2024-05-02T10:11:12.345678Z",
  contact_person: "Doe, John",
  embargo_status: "OPEN",
  star_count: 0,
  is_starred: false,
  most_recent_published_version: null,
  draft_version: {
    version: "draft",
    name: "Test Dandiset",
    asset_count: 0,
    active_uploads: 0,
    size: 0,
    status: "Pending",
    created: "2024-05-02T10:11:12.400000Z",
    modified: "2024-05-02T10:11:12.400000Z",
    release_notes: ""
  }
}

// Spec §2.3.
const versionListItem = {
  version: "0.240301.1523",
  name: "My dataset",
  asset_count: 3,
  active_uploads: 0,
  size: 1849217,
  status: "Valid",
  created: "2024-03-01T15:23:10.112000Z",
  modified: "2024-03-01T15:23:11.908000Z",
  dandiset: {
    identifier: "000123",
    created: "2024-02-17T18:00:59.741000Z",
    modified: "2024-02-17T18:00:59.741000Z",
    contact_person: "Doe, John",
    embargo_status: "OPEN",
    star_count: 0,
    is_starred: false
  },
  release_notes: "Added session 3"
}

// Spec §2.4, with the elided values filled in.
const versionInfo = {
  version: "draft",
  name: "My dataset",
  asset_count: 1,
  active_uploads: 0,
  size: 100,
  status: "Invalid",
  created: "2024-03-01T15:23:10.112000Z",
  modified: "2024-03-01T15:23:11.908000Z",
  dandiset: versionListItem.dandiset,
  release_notes: "",
  asset_validation_errors: [
    { field: "", message: "asset is currently being validated, please wait.", path: "sub-01/sub-01_ecephys.nwb" },
    { field: "wasAttributedTo.0.species", message: "<validator message>", path: "sub-02/sub-02_ecephys.nwb" }
  ],
  version_validation_errors: [
    { field: "", message: "'description' is a required property" },
    { field: "contributor", message: "<validator message>" }
  ],
  metadata: { schemaKey: "Dandiset", name: "My dataset", "x-unknown": [1, { deep: true }] },
  contact_person: "Doe, John"
}

// Spec §2.6.
const assetListItem = {
  asset_id: "7b6a1d90-09b0-427f-bc86-2bbab7c2df3e",
  blob: "cab4cbdc-56b0-4cd8-9fa9-2f2fc554c70a",
  zarr: null,
  path: "foo/bar.txt",
  size: 20,
  created: "2024-02-17T18:26:24.620000Z",
  modified: "2024-02-17T18:26:24.621000Z"
}

// Spec §3.8.
const serverInfo = {
  instance_config: {
    instance_name: "DANDI",
    instance_identifier: "RRID:SCR_017571",
    instance_url: "https://dandiarchive.org/",
    doi_prefix: "10.48324",
    licenses: ["spdx:CC0-1.0", "spdx:CC-BY-4.0"]
  },
  schema_version: "0.7.0",
  schema_url: "https://api.dandiarchive.org/api/schemas/?model=Dandiset",
  allowed_schema_versions: ["0.4.4", "0.5.1", "0.5.2", "0.6.0", "0.6.1", "0.6.2", "0.6.3", "0.6.4", "0.6.5", "0.6.6", "0.6.7", "0.6.8", "0.6.9", "0.6.10", "0.7.0"],
  version: "1.0.0",
  services: {
    api: { url: "https://api.dandiarchive.org/api" },
    webui: { url: "https://dandiarchive.org" },
    jupyterhub: { url: "https://hub.dandiarchive.org" }
  },
  "cli-minimal-version": "0.74.0",
  "cli-requires-python": ">=3.10",
  "cli-bad-versions": []
}

describe("ApiRecords", () => {
  describe("real asset records (dandiset 001773)", () => {
    const records = realAssetRecords()

    it("has all 54 records to check", () => {
      expect(records).toHaveLength(54)
    })

    it("decodes every record and re-encodes it key for key", () => {
      for (const record of records) {
        const { decoded, encoded } = roundTrip(ApiRecords.AssetRecord, record)
        expect(decoded).toBeInstanceOf(ApiRecords.AssetRecord)
        expect(encoded).toStrictEqual(record)
      }
    })

    it("round-trips the whole listing as a page of records", () => {
      const page = { count: 54, next: null, previous: null, results: records }
      const { encoded } = roundTrip(ApiRecords.PageEnvelope(ApiRecords.AssetRecord), page)
      expect(encoded).toStrictEqual(page)
    })

    it("classifies every record as a blob asset (the fixture has no zarrs)", () => {
      for (const record of records) {
        const decoded = Schema.decodeUnknownSync(ApiRecords.AssetRecord)(record)
        expect(decoded.assetType).toBe("blob")
        expect(decoded.blobId).toBe(record["blob"])
        expect(decoded.zarrId).toBeNull()
      }
    })
  })

  describe("spec example shapes", () => {
    it("dandiset list item round-trips and picks the published version by default", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.DandisetRecord, dandisetListItem)
      expect(encoded).toStrictEqual(dandisetListItem)
      expect(decoded.defaultVersion?.version).toBe("0.240301.1523")
    })

    it("dandiset detail round-trips and falls back to the draft when never published", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.DandisetRecord, dandisetDetail)
      expect(encoded).toStrictEqual(dandisetDetail)
      expect(decoded.defaultVersion?.version).toBe("draft")
    })

    it("version list item round-trips with its nested dandiset", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.VersionRecord, versionListItem)
      expect(encoded).toStrictEqual(versionListItem)
      expect(decoded.dandiset?.identifier).toBe("000123")
    })

    it("version info round-trips, keeping the raw metadata verbatim", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.VersionInfoRecord, versionInfo)
      expect(encoded).toStrictEqual(versionInfo)
      expect(decoded.asset_validation_errors[1]?.path).toBe("sub-02/sub-02_ecephys.nwb")
    })

    it("asset list item round-trips", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.AssetRecord, assetListItem)
      expect(encoded).toStrictEqual(assetListItem)
      expect(decoded.assetType).toBe("blob")
    })

    it("an asset record keeps keys the schema does not know", () => {
      const withExtra = { ...assetListItem, future_field: { a: 1 } }
      expect(roundTrip(ApiRecords.AssetRecord, withExtra).encoded).toStrictEqual(withExtra)
    })

    it("a zarr asset is recognised; both or neither of blob/zarr is flagged", () => {
      const zarr = { ...assetListItem, blob: null, zarr: "0d5b9be5-e626-4f6a-96da-b6b602954899" }
      expect(Schema.decodeUnknownSync(ApiRecords.AssetRecord)(zarr).assetType).toBe("zarr")
      const both = { ...zarr, blob: assetListItem.blob }
      expect(Schema.decodeUnknownSync(ApiRecords.AssetRecord)(both).assetType).toBe("invalid")
      const neither = { ...zarr, zarr: null }
      expect(Schema.decodeUnknownSync(ApiRecords.AssetRecord)(neither).assetType).toBe("invalid")
    })

    it("/info/ round-trips with its hyphenated keys", () => {
      const { decoded, encoded } = roundTrip(ApiRecords.ServerInfo, serverInfo)
      expect(encoded).toStrictEqual(serverInfo)
      expect(decoded["cli-minimal-version"]).toBe("0.74.0")
      expect(decoded.services.webui?.url).toBe("https://dandiarchive.org")
    })

    it("a minimal server-info (api service only) is accepted", () => {
      const minimal = {
        version: "1.0.0",
        services: { api: { url: "https://api.example.test/api" } },
        "cli-minimal-version": "0.60.0",
        "cli-bad-versions": []
      }
      expect(roundTrip(ApiRecords.ServerInfo, minimal).encoded).toStrictEqual(minimal)
    })

    it("zarr archive, zarr listing page and entries round-trip", () => {
      const zarr = {
        name: "sample.zarr",
        dandiset: "000123",
        zarr_id: "0d5b9be5-e626-4f6a-96da-b6b602954899",
        status: "Pending",
        checksum: null,
        file_count: 0,
        size: 0
      }
      expect(roundTrip(ApiRecords.ZarrRecord, zarr).encoded).toStrictEqual(zarr)
      const listing = {
        next: "https://api.dandiarchive.org/api/zarr/x/files/?after=foo%2Fbar%2Fa.txt&limit=1&prefix=foo%2F",
        results: [{ Key: "foo/bar/a.txt", LastModified: "2024-05-01 14:03:22.123000+00:00", ETag: "0cc175b9c0f1b6a831c399e269772661", Size: 1 }]
      }
      const { decoded, encoded } = roundTrip(ApiRecords.CursorEnvelope(ApiRecords.ZarrEntryRecord), listing)
      expect(encoded).toStrictEqual(listing)
      expect(decoded.results[0]?.lastModifiedAt.toISOString()).toBe("2024-05-01T14:03:22.123Z")
    })

    it("blob, upload, incomplete upload, owner, user, stats and path entries round-trip", () => {
      const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown]> = [
        [ApiRecords.BlobRecord, { blob_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11", etag: "8d780cfbcd9622aa77011564e615065f-1", sha256: null, size: 123 }],
        [
          ApiRecords.UploadInitResponse,
          { upload_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11", parts: [{ part_number: 1, size: 12, upload_url: "https://bucket.s3.amazonaws.com/blobs/6f1/c2b/x?partNumber=1" }] }
        ],
        [ApiRecords.UploadCompleteResponse, { complete_url: "https://bucket.s3.amazonaws.com/x?uploadId=1", body: "<CompleteMultipartUpload/>" }],
        [
          ApiRecords.IncompleteUploadRecord,
          { created: "2024-02-17T18:26:24.620000Z", blob: "https://bucket/x", upload_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11", etag: "8d780cfbcd9622aa77011564e615065f-1", size: 123 }
        ],
        [ApiRecords.OwnerRecord, { username: "jdoe-gh", name: "John Doe", email: null }],
        [ApiRecords.UserRecord, { username: "jdoe-gh", name: "Jane Doe", admin: false, status: "APPROVED" }],
        [ApiRecords.StatsRecord, { dandiset_count: 0, published_dandiset_count: 0, user_count: 0, size: 0 }],
        [ApiRecords.AssetPathEntry, { path: "foo/bar", version: 17, aggregate_files: 2, aggregate_size: 200, asset: null }],
        [
          ApiRecords.AssetPathEntry,
          { path: "foo/bar.txt", version: 17, aggregate_files: 1, aggregate_size: 100, asset: { asset_id: "7b6a1d90-09b0-427f-bc86-2bbab7c2df3e", url: "https://bucket/blobs/x" } }
        ],
        [ApiRecords.AssetValidationRecord, { status: "Invalid", validation_errors: [{ field: "path", message: "bad" }] }],
        [ApiRecords.SearchDandisetRecord, { ...dandisetListItem, asset_counts: { file_type: 3, species: 1 } }],
        [ApiRecords.WebdavAtPathItem, { type: "folder", resource: { path: "foo", total_assets: 2, total_size: 200 } }],
        [ApiRecords.WebdavAtPathItem, { type: "asset", resource: assetListItem }]
      ]
      for (const [schema, input] of cases) {
        expect(roundTrip(schema, input).encoded).toStrictEqual(input)
      }
    })

    it("sizes beyond 2^31 and up to the archive's 10^16 test value decode", () => {
      const huge = { ...assetListItem, size: 1e16 }
      expect(Schema.decodeUnknownSync(ApiRecords.AssetRecord)(huge).size).toBe(1e16)
    })

    it("keeps microseconds in the wire string while offering a Date", () => {
      const version = Schema.decodeUnknownSync(ApiRecords.VersionRecord)(dandisetDetail.draft_version)
      expect(version.created).toBe("2024-05-02T10:11:12.400000Z")
      expect(version.createdAt.toISOString()).toBe("2024-05-02T10:11:12.400Z")
      const detail = Schema.decodeUnknownSync(ApiRecords.DandisetRecord)(dandisetDetail)
      expect(detail.created).toBe("2024-05-02T10:11:12.345678Z")
      expect(detail.createdAt.getTime()).toBe(Date.UTC(2024, 4, 2, 10, 11, 12, 345))
    })

    it("accepts the page envelope's null count on later pages of a lazy listing", () => {
      const page = { count: null, next: null, previous: "https://api.dandiarchive.org/api/x/?page=1", results: [assetListItem] }
      expect(roundTrip(ApiRecords.PageEnvelope(ApiRecords.AssetRecord), page).encoded).toStrictEqual(page)
    })
  })

  describe("bad input", () => {
    const rejects = (schema: Schema.Schema<any, any>, input: unknown) =>
      expect(Either.isLeft(Schema.decodeUnknownEither(schema)(input))).toBe(true)

    it("rejects an unknown version status", () => {
      rejects(ApiRecords.VersionSummary, { ...dandisetListItem.draft_version, status: "Done" })
    })

    it("rejects an unknown embargo status", () => {
      rejects(ApiRecords.DandisetRecord, { ...dandisetListItem, embargo_status: "open" })
    })

    it("rejects a size given as a string, a negative size and a fractional size", () => {
      rejects(ApiRecords.AssetRecord, { ...assetListItem, size: "20" })
      rejects(ApiRecords.AssetRecord, { ...assetListItem, size: -1 })
      rejects(ApiRecords.AssetRecord, { ...assetListItem, size: 1.5 })
    })

    it("rejects a timestamp that is not a date, naming the bad value", () => {
      const result = Schema.decodeUnknownEither(ApiRecords.AssetRecord)({ ...assetListItem, created: "yesterday" })
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(result.left.message).toContain('"yesterday"')
    })

    it("rejects an asset record without asset_id", () => {
      const { asset_id: _dropped, ...withoutId } = assetListItem
      rejects(ApiRecords.AssetRecord, withoutId)
    })

    it("rejects a server info without the cli-minimal-version key", () => {
      const { "cli-minimal-version": _dropped, ...rest } = serverInfo
      rejects(ApiRecords.ServerInfo, rest)
    })

    it("rejects a page envelope without results", () => {
      rejects(ApiRecords.PageEnvelope(ApiRecords.AssetRecord), { count: 0, next: null, previous: null })
    })
  })

  describe("request bodies encode to the wire shapes of the spec", () => {
    it("upload initialize, complete, asset write, create, zarr and owner bodies", () => {
      const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown]> = [
        [
          ApiRecords.UploadInitRequest,
          { contentSize: 12, digest: { algorithm: "dandi:dandi-etag", value: "8d780cfbcd9622aa77011564e615065f-1" }, dandiset: "000123" }
        ],
        [ApiRecords.UploadCompleteRequest, { parts: [{ part_number: 1, size: 12, etag: "6f5902ac237024bdd0c176cb93063dc4" }] }],
        [ApiRecords.AssetWriteRequest, { metadata: { path: "sub-01/sub-01.nwb", schemaKey: "Asset" }, blob_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11" }],
        [ApiRecords.AssetWriteRequest, { metadata: { path: "a.zarr" }, zarr_id: "0d5b9be5-e626-4f6a-96da-b6b602954899" }],
        [ApiRecords.CreateDandisetRequest, { name: "Test Dandiset", metadata: { description: "...", license: ["spdx:CC-BY-4.0"] } }],
        [ApiRecords.UpdateVersionRequest, { name: "Test Dandiset", metadata: { name: "Test Dandiset" } }],
        [ApiRecords.PublishRequest, {}],
        [ApiRecords.PublishRequest, { release_notes: "Added session 3" }],
        [ApiRecords.ZarrCreateRequest, { name: "sample.zarr", dandiset: "000123" }],
        [ApiRecords.ZarrUploadItem, { path: "0/0/0", base64md5: "DMF1ucDxtqgxw5niaXcmYQ==" }],
        [ApiRecords.ZarrDeleteItem, { path: "0/0/0" }],
        [ApiRecords.OwnerUpdateItem, { username: "jdoe-gh" }],
        [ApiRecords.StarCountRecord, { count: 3 }]
      ]
      for (const [schema, input] of cases) {
        expect(roundTrip(schema, input).encoded).toStrictEqual(input)
      }
    })

    it("a constructed request encodes without keys that were not given", () => {
      const body = new ApiRecords.AssetWriteRequest({ metadata: { path: "x.txt" }, blob_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11" })
      expect(JSON.parse(JSON.stringify(Schema.encodeSync(ApiRecords.AssetWriteRequest)(body)))).toStrictEqual({
        metadata: { path: "x.txt" },
        blob_id: "6f1c2b0e-0c7e-4f55-9a5d-2f8b8f1f4c11"
      })
    })
  })

  describe("identifiers as the server routes them", () => {
    const accepts = (schema: Schema.Schema<string>, value: string) => expect(Schema.is(schema)(value)).toBe(true)
    const rejectsWithHint = (schema: Schema.Schema<string>, value: string, hint: string) => {
      const result = Schema.decodeUnknownEither(schema)(value)
      if (Either.isRight(result)) throw new Error(`accepted ${value}`)
      expect(result.left.message).toContain(hint)
    }
    it("dandiset ids are six digits", () => {
      accepts(ApiRecords.DandisetIdentifier, "000123")
      rejectsWithHint(ApiRecords.DandisetIdentifier, "12345", "six digits")
      rejectsWithHint(ApiRecords.DandisetIdentifier, "DANDI:000123", "six digits")
    })
    it("versions are draft or 0.YYMMDD.HHMM", () => {
      accepts(ApiRecords.VersionIdentifier, "draft")
      accepts(ApiRecords.VersionIdentifier, "0.240217.1830")
      rejectsWithHint(ApiRecords.VersionIdentifier, "1.0", "'draft'")
      rejectsWithHint(ApiRecords.VersionIdentifier, "Draft", "'draft'")
    })
    it("asset, blob and zarr ids are lower-case v4 UUIDs", () => {
      accepts(ApiRecords.ResourceUuid, "7b6a1d90-09b0-427f-bc86-2bbab7c2df3e")
      rejectsWithHint(ApiRecords.ResourceUuid, "7B6A1D90-09B0-427F-BC86-2BBAB7C2DF3E", "lower-case")
      rejectsWithHint(ApiRecords.ResourceUuid, "7b6a1d90-09b0-127f-bc86-2bbab7c2df3e", "version-4")
    })
  })
})
