import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import * as Metadata from "@dandi-effect/core/Metadata"
import { olderMetadataDocuments, realAssetRecords, realDandisetMetadata } from "./fixtures-support/RepositoryFixtures.js"

const strictOrThrow = <A>(result: Either.Either<A, { message: string }>): A => {
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("Metadata", () => {
  describe("current documents (fixtures/real) decode strictly and re-encode unchanged", () => {
    it("the published metadata of dandiset 001773", () => {
      const raw = realDandisetMetadata()
      const metadata = strictOrThrow(Metadata.decodeDandisetMetadataEither(raw))
      expect(Metadata.encodeDandisetMetadata(metadata)).toStrictEqual(raw)
      expect(metadata.identifier).toBe("DANDI:001773")
      expect(metadata.version).toBe("0.260412.1743")
      expect(metadata.assetsSummary.numberOfFiles).toBe(54)
      expect(metadata.assetsSummary.numberOfBytes).toBe(3222762)
      expect(metadata.assetsSummary.dataStandard?.[0]?.name).toBe("Brain Imaging Data Structure (BIDS)")
      expect(metadata.access?.[0]?.status).toBe("dandi:OpenAccess")
      expect(metadata.publishedBy?.schemaKey).toBe("PublishActivity")
      expect(metadata.doi).toBe("10.48324/dandi.001773/0.260412.1743")
    })

    it("finds the contact person the way the archive does", () => {
      const metadata = strictOrThrow(Metadata.decodeDandisetMetadataEither(realDandisetMetadata()))
      const contact = Metadata.contactPerson(metadata)
      expect(contact?.name).toBe("Fujimoto, Satoka")
      expect(contact?.schemaKey).toBe("Person")
    })

    it("every asset's metadata of dandiset 001773", () => {
      const records = realAssetRecords()
      expect(records).toHaveLength(54)
      for (const record of records) {
        const raw = record["metadata"]
        const metadata = strictOrThrow(Metadata.decodeAssetMetadataEither(raw))
        expect(Metadata.encodeAssetMetadata(metadata)).toStrictEqual(raw)
        expect(metadata.path).toBe(record["path"])
        expect(metadata.contentSize).toBe(record["size"])
        expect(metadata.digest["dandi:dandi-etag"]).toMatch(/^[0-9a-f]{32}-1$/)
        expect(metadata.digest["dandi:sha2-256"]).toMatch(/^[0-9a-f]{64}$/)
      }
    })

    it("also decodes through the Effect API", () =>
      Effect.runSync(Effect.gen(function*() {
        const metadata = yield* Metadata.decodeDandisetMetadata(realDandisetMetadata())
        expect(metadata.name).toMatch(/^Fujimoto et al\./)
      })))
  })

  describe("unknown fields survive a round trip", () => {
    it("at the top level and inside nested objects and lists", () => {
      const raw = {
        ...realDandisetMetadata(),
        "x-future-field": { nested: [1, 2, 3] },
        contributor: [
          { schemaKey: "Person", name: "Doe, Jane", roleName: ["dcite:ContactPerson"], pronouns: "she/her" },
          { schemaKey: "Organization", name: "Some Lab", roleName: ["dcite:Sponsor"], "x-grant": { id: 7 } }
        ],
        assetsSummary: { schemaKey: "AssetsSummary", numberOfBytes: 1, numberOfFiles: 1, newCounter: 3 }
      }
      const metadata = strictOrThrow(Metadata.decodeDandisetMetadataEither(raw))
      const edited = { ...metadata, name: "Renamed" }
      expect(Metadata.encodeDandisetMetadata(edited)).toStrictEqual({ ...raw, name: "Renamed" })
    })

    it("in an asset's digest map, keeping a zarr checksum that is still null", () => {
      const raw = {
        schemaKey: "Asset",
        path: "sample.zarr",
        contentSize: 0,
        encodingFormat: "application/x-zarr",
        digest: { "dandi:dandi-zarr-checksum": null, "dandi:future-digest": "abc" }
      }
      const metadata = strictOrThrow(Metadata.decodeAssetMetadataEither(raw))
      expect(metadata.digest["dandi:dandi-zarr-checksum"]).toBeNull()
      expect(Metadata.encodeAssetMetadata(metadata)).toStrictEqual(raw)
    })
  })

  describe("older documents (fixtures/metadata) decode leniently", () => {
    const documents = olderMetadataDocuments()

    it("has the eight documents to check", () => {
      expect(documents.map(([name]) => name)).toStrictEqual([
        "asset3_01.json",
        "asset3_02.json",
        "asset4_01.json",
        "asset4_02.json",
        "asset_001.json",
        "dandiset-000004-old.json",
        "dandiset-000004.json",
        "dandiset-000008.json"
      ])
    })

    for (const [name, raw] of olderMetadataDocuments()) {
      it(`${name}: never fails, keeps what fits, reports what does not`, () => {
        const decode = name.startsWith("asset") ? Metadata.decodeAssetMetadataLenient : Metadata.decodeDandisetMetadataLenient
        const snapshot = JSON.stringify(raw)
        const result = decode(raw)
        expect(result.raw).toBe(raw)
        expect(JSON.stringify(raw)).toBe(snapshot)
        // Whatever was kept is the document's own value, untouched (lists may have lost elements).
        for (const [key, value] of Object.entries(result.value)) {
          if (!Array.isArray(value)) expect(value).toStrictEqual(raw[key])
        }
        for (const issue of result.issues) {
          expect(issue.message.length).toBeGreaterThan(0)
        }
        // A document with issues would have failed a strict decode; one without would have passed.
        const strictFailed = name.startsWith("asset")
          ? Either.isLeft(Metadata.decodeAssetMetadataEither(raw))
          : Either.isLeft(Metadata.decodeDandisetMetadataEither(raw))
        expect(strictFailed).toBe(result.issues.length > 0)
      })
    }

    it("asset3_02.json: the pre-0.4 access status is reported, the rest stays typed", () => {
      const raw = Object.fromEntries(olderMetadataDocuments())["asset3_02.json"]!
      const result = Metadata.decodeAssetMetadataLenient(raw)
      const accessIssue = result.issues.find((issue) => issue.path.join(".") === "access.0.status")
      expect(accessIssue?.message).toContain("dandi:OpenAccess")
      expect(result.value.access).toStrictEqual([])
      expect(result.value.path).toBe(raw["path"])
      expect(result.value.digest?.["dandi:sha2-256"]).toBe("f5db0ce3ae177e5188c8e0b931dda5c15d619a1ae44a2ae335e9beb858af7e50")
      expect(result.value.wasAttributedTo?.[0]?.identifier).toBe("mouse_AEJGZ")
    })

    it("asset_001.json (schema 0.3.2) decodes strictly, nested samples included", () => {
      const raw = Object.fromEntries(olderMetadataDocuments())["asset_001.json"]!
      const metadata = strictOrThrow(Metadata.decodeAssetMetadataEither(raw))
      expect(metadata.wasDerivedFrom?.[0]?.wasDerivedFrom?.[0]?.wasDerivedFrom?.[0]?.identifier).toBe("tissue03")
      expect(metadata.wasAttributedTo?.[0]?.species?.name).toBe("Human")
      expect(Metadata.encodeAssetMetadata(metadata)).toStrictEqual(raw)
    })
  })

  describe("bad input", () => {
    it("a strict decode lists every problem with its path", () => {
      const raw = { ...realDandisetMetadata(), name: 42, license: "spdx:CC-BY-4.0" }
      const result = Metadata.decodeDandisetMetadataEither(raw)
      if (Either.isRight(result)) throw new Error("accepted a numeric name")
      expect(result.left.message).toContain("name")
      expect(result.left.message).toContain("license")
    })

    it("a strict decode fails as an Effect too", () => {
      const exit = Effect.runSyncExit(Metadata.decodeAssetMetadata({ path: "x" }))
      expect(Exit.isFailure(exit)).toBe(true)
    })

    it("a lenient decode of a missing required field keeps the other fields and names the missing one", () => {
      const { description: _dropped, ...raw } = realDandisetMetadata()
      const result = Metadata.decodeDandisetMetadataLenient(raw)
      expect(result.issues.map((issue) => issue.path.join("."))).toContain("description")
      expect(result.value.name).toBe(raw["name"])
      expect(Metadata.formatIssues(result.issues)).toMatch(/^description: /m)
    })

    it("a lenient decode drops only the offending contributor, not the whole list", () => {
      const raw = {
        ...realDandisetMetadata(),
        contributor: [
          { schemaKey: "Person", name: "Ok, Fine", roleName: ["dcite:Author"] },
          { schemaKey: "Robot", name: "R2" },
          { schemaKey: "Person", name: "Also, Fine", roleName: ["dcite:NotARole"] }
        ]
      }
      const result = Metadata.decodeDandisetMetadataLenient(raw)
      expect(result.value.contributor?.map((contributor) => contributor.name)).toStrictEqual(["Ok, Fine"])
      const paths = result.issues.map((issue) => issue.path.slice(0, 2).join("."))
      expect(paths).toContain("contributor.1")
      expect(paths).toContain("contributor.2")
    })

    it("a lenient decode of something that is not an object says so instead of crashing", () => {
      for (const raw of [null, 42, "text", [1, 2]]) {
        const result = Metadata.decodeAssetMetadataLenient(raw)
        expect(result.value).toStrictEqual({})
        expect(Metadata.formatIssues(result.issues)).toBe("(document): Expected a JSON object of metadata")
      }
    })
  })

  describe("digest formats (dandischema BareAsset.digest)", () => {
    const asset = (digest: Record<string, unknown>) => ({ path: "a.nwb", contentSize: 1, encodingFormat: "application/x-nwb", digest })
    it("accepts well-formed etags, sha256 and zarr checksums", () => {
      for (const digest of [
        { "dandi:dandi-etag": "d41d8cd98f00b204e9800998ecf8427e-0" },
        { "dandi:dandi-etag": "8d780cfbcd9622aa77011564e615065f-10000", "dandi:sha2-256": "a".repeat(64) },
        { "dandi:dandi-zarr-checksum": "4313ab36412db2981c3ed391b38604d6-5--1516" }
      ]) {
        expect(Either.isRight(Metadata.decodeAssetMetadataEither(asset(digest)))).toBe(true)
      }
    })
    it("rejects malformed digests, saying what the format is", () => {
      for (const [digest, hint] of [
        [{ "dandi:dandi-etag": "8d780cfbcd9622aa77011564e615065f" }, "dandi-etag"],
        [{ "dandi:dandi-etag": "8D780CFBCD9622AA77011564E615065F-1" }, "dandi-etag"],
        [{ "dandi:sha2-256": "abc" }, "64 lower-case hex digits"],
        [{ "dandi:dandi-zarr-checksum": "4313ab36412db2981c3ed391b38604d6-5" }, "zarr checksum"]
      ] as const) {
        const result = Metadata.decodeAssetMetadataEither(asset(digest))
        if (Either.isRight(result)) throw new Error(`accepted ${JSON.stringify(digest)}`)
        expect(result.left.message).toContain(hint)
      }
    })
  })

  describe("raw-metadata readers", () => {
    const raw = realAssetRecords()[0]!["metadata"]
    it("rawDigest reads a digest by type, or says it is missing", () => {
      expect(Metadata.rawDigest(raw, "dandi:dandi-etag")).toStrictEqual(Either.right("5a12b4edcac0212fddc13a56cc29528d-1"))
      const missing = Metadata.rawDigest(raw, "dandi:dandi-zarr-checksum")
      if (Either.isRight(missing)) throw new Error("found a zarr checksum on a blob")
      expect(missing.left.message).toBe("No dandi:dandi-zarr-checksum digest found in metadata")
      expect(Either.isLeft(Metadata.rawDigest(null, "dandi:dandi-etag"))).toBe(true)
    })
    it("contentUrlMatching picks the first URL the pattern matches anywhere", () => {
      expect(Metadata.contentUrlMatching(raw)).toStrictEqual(
        Either.right("https://api.dandiarchive.org/api/assets/40f23443-f187-423f-98d5-0b32a516e00f/download/")
      )
      expect(Metadata.contentUrlMatching(raw, /amazonaws.com\/.*blobs\//g)).toStrictEqual(
        Either.right("https://dandiarchive.s3.amazonaws.com/blobs/974/e41/974e41f7-9a2e-4fff-b920-084718fd789b")
      )
      const none = Metadata.contentUrlMatching(raw, /^ftp:/)
      if (Either.isRight(none)) throw new Error("matched ftp")
      expect(none.left.message).toBe("No matching URL found in asset's contentUrl metadata field")
    })
  })
})
