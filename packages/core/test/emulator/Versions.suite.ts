import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, TestClock } from "effect"
import { type Archive, clockToTimeOfDay, type Harness, hello, TIMES_OF_DAY } from "./TestArchive.js"

const metadata = { description: "A dataset", license: ["spdx:CC0-1.0"] }

const status = (api: Archive["api"]) =>
  Effect.map(api("GET", "/dandisets/000001/versions/draft/info/"), (r) => r.json.status as string)

export const versionsSuite = (harness: Harness) => {
  const { withUsers } = harness

  const setup = Effect.gen(function*() {
    const archive = yield* withUsers
    yield* archive.api("POST", "/dandisets/", { token: "owner-token", body: { name: "Versions", metadata } })
    return archive
  })

  describe(`emulator versions [${harness.name}]`, () => {
    it.scoped("validates a Pending draft through Validating to Valid on the clock", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* admin.addBlobAsset("000001", "data.txt", { _tag: "Bytes", bytes: hello })
        expect(yield* status(api)).toBe("Pending")
        yield* TestClock.adjust("260 millis")
        expect(yield* status(api)).toBe("Validating")
        yield* TestClock.adjust("250 millis")
        expect(yield* status(api)).toBe("Valid")
        const info = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(info.json.version_validation_errors).toEqual([])
        expect(info.json.asset_validation_errors).toEqual([])
        expect(info.json.contact_person).toBe("Doe, Jane")
        expect(Object.keys(info.json)).toEqual([
          "version", "name", "asset_count", "active_uploads", "size", "status", "created", "modified", "dandiset",
          "release_notes", "asset_validation_errors", "version_validation_errors", "metadata", "contact_person"
        ])
      }))

    it.scoped("reports invalid metadata in the real error shape", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "owner-token",
          body: { name: "Versions", metadata: { license: ["spdx:CC0-1.0"], contributor: [{ name: "X", roleName: [] }] } }
        })
        yield* admin.runBackgroundJobs
        const info = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(info.json.status).toBe("Invalid")
        expect(info.json.version_validation_errors).toEqual([
          { field: "", message: "'description' is a required property" },
          { field: "contributor", message: "At least one contributor must have role ContactPerson" }
        ])
      }))

    it.scoped("holds a draft with no assets, or only zero-byte ones, Invalid, and refuses to publish it", () =>
      // dandischema's PublishedDandiset.check_filesbytes, reached only when the schema passes:
      // test_tasks.py::test_validate_version_metadata_no_assets, ::…_empty_zarr_asset; publishing
      // an Invalid draft is 400 "Dandiset metadata or asset metadata is not valid"
      // (test_version.py, the publish status table near line 944).
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        const emptyError = {
          field: "assetsSummary",
          message: "Value error, A Dandiset containing no files or zero bytes is not publishable"
        }
        yield* admin.runBackgroundJobs
        const empty = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(empty.json.status).toBe("Invalid")
        expect(empty.json.version_validation_errors).toEqual([emptyError])
        const refused = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(refused.status).toBe(400)
        expect(refused.json).toBe("Dandiset metadata or asset metadata is not valid")

        yield* admin.addBlobAsset("000001", "empty.txt", { _tag: "Bytes", bytes: new Uint8Array() })
        yield* admin.runBackgroundJobs
        const zeroBytes = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(zeroBytes.json.status).toBe("Invalid")
        expect(zeroBytes.json.version_validation_errors).toEqual([emptyError])

        yield* admin.addBlobAsset("000001", "data.txt", { _tag: "Bytes", bytes: hello })
        yield* admin.runBackgroundJobs
        const withBytes = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(withBytes.json.status).toBe("Valid")
        const published = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(published.status).toBe(202)
      }))

    it.scoped("reports schema errors before the empty-dandiset rule", () =>
      // dandischema/metadata.py validate(json_validation=True): jsonschema errors are raised
      // alone; the pydantic assetsSummary check runs only on a document the schema accepts
      // (error shape: test_tasks.py::test_validate_version_metadata_no_description)
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "owner-token",
          body: {
            name: "Versions",
            metadata: {
              license: ["spdx:CC0-1.0"],
              contributor: [{ name: "Doe, Jane", email: "jane@example.org", roleName: ["dcite:ContactPerson"], schemaKey: "Person" }]
            }
          }
        })
        yield* admin.runBackgroundJobs
        const info = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(info.json.version_validation_errors).toEqual([{ field: "", message: "'description' is a required property" }])
      }))

    it.scoped("cites the name without its trailing dots, with or without contributors in the citation", () =>
      // models/version.py Version.citation: name = metadata['name'].rstrip('.') for both forms
      // (test_version.py::test_version_metadata_citation_draft)
      Effect.gen(function*() {
        const { api, webUrl } = yield* withUsers
        const contact = { name: "Doe, Jane", email: "jane@example.org", roleName: ["dcite:ContactPerson"], schemaKey: "Person" }
        yield* api("POST", "/dandisets/", {
          token: "owner-token",
          body: { name: "Uncited..", metadata: { ...metadata, contributor: [{ ...contact, includeInCitation: false }] } }
        })
        yield* api("POST", "/dandisets/", {
          token: "owner-token",
          body: { name: "Cited.", metadata: { ...metadata, contributor: [{ ...contact, includeInCitation: true }] } }
        })
        const uncited = yield* api("GET", "/dandisets/000001/versions/draft/")
        const year = new Date(yield* Clock.currentTimeMillis).getUTCFullYear()
        expect(uncited.json.citation).toBe(
          `Uncited (${year}). (Version draft) [Data set]. DANDI Archive. ${webUrl}/dandiset/000001/draft`
        )
        const cited = yield* api("GET", "/dandisets/000002/versions/draft/")
        expect(cited.json.citation).toBe(
          `Doe, Jane (${year}) Cited (Version draft) [Data set]. DANDI Archive. ${webUrl}/dandiset/000002/draft`
        )
      }))

    it.scoped("metadata PUT strips computed keys, no-ops on identical content, otherwise resets to Pending", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* admin.addBlobAsset("000001", "data.txt", { _tag: "Bytes", bytes: hello })
        yield* admin.runBackgroundJobs
        const before = yield* api("GET", "/dandisets/000001/versions/draft/")
        const infoBefore = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        yield* TestClock.adjust("1 second")
        const same = yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "owner-token",
          body: { name: "Versions", metadata: { ...before.json, identifier: "DANDI:999999", citation: "mine" } }
        })
        expect(same.status).toBe(200)
        expect(same.json.status).toBe("Valid")
        // test_version.py::test_version_rest_update_no_changed_metadata: unchanged metadata
        // leaves the version alone, `modified` included
        expect(infoBefore.json.modified).toMatch(/^\d{4}-\d{2}-\d{2}T/)
        expect(same.json.modified).toBe(infoBefore.json.modified)
        expect(same.json.metadata.identifier).toBe("DANDI:000001")
        // views/version.py update(): Version.strip_metadata keeps `@context` and `repository`,
        // which the stored document always has, so a document without them is a change
        for (const key of ["@context", "repository"]) {
          yield* admin.runBackgroundJobs
          const { [key]: _dropped, ...without } = before.json
          const reset = yield* api("PUT", "/dandisets/000001/versions/draft/", {
            token: "owner-token",
            body: { name: "Versions", metadata: without }
          })
          expect(reset.json.status).toBe("Pending")
        }
        yield* TestClock.adjust("1 second")
        const changed = yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "owner-token",
          body: { name: "Renamed", metadata: { ...before.json, description: "new" } }
        })
        expect(changed.json.status).toBe("Pending")
        expect(changed.json.name).toBe("Renamed")
        expect(changed.json.metadata.name).toBe("Renamed")
        expect(changed.json.metadata.assetsSummary).toEqual({ schemaKey: "AssetsSummary", numberOfBytes: 0, numberOfFiles: 0 })
        expect(changed.json.modified).not.toBe(same.json.modified)
        const notOwner = yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "other-token",
          body: { name: "x", metadata: {} }
        })
        expect(notOwner.status).toBe(403)
        expect(notOwner.text).toBe("")
        const noName = yield* api("PUT", "/dandisets/000001/versions/draft/", { token: "owner-token", body: { metadata: {} } })
        expect(noName.json).toEqual({ name: ["This field is required."] })
      }))

    it.scoped("enforces publish preconditions with the real codes", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        const pending = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(pending.status).toBe(409)
        expect(pending.json).toBe("Metadata validation is pending for this dandiset, please try again later.")
        yield* TestClock.adjust("260 millis")
        const validating = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(validating.status).toBe(409)
        expect(validating.json).toBe("Dandiset is currently being validated")
        yield* admin.addBlobAsset("000001", "a.txt", { _tag: "Bytes", bytes: hello }, { encodingFormat: undefined })
        yield* admin.runBackgroundJobs
        const invalidAsset = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(invalidAsset.status).toBe(400)
        expect(invalidAsset.json).toBe("Dandiset metadata or asset metadata is not valid")
        const info = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(info.json.asset_validation_errors).toEqual([
          { field: "", message: "'encodingFormat' is a required property", path: "a.txt" }
        ])
        const notDraft = yield* api("POST", "/dandisets/000001/versions/0.240101.0000/publish/", { token: "owner-token" })
        expect(notDraft.status).toBe(405)
        expect(notDraft.json).toBe("Only draft versions can be published")
      }))

    it.scoped("publishes in the background: 202, Publishing, then a Valid version and a Published draft", () =>
      Effect.gen(function*() {
        const { admin, api, storage } = yield* setup
        yield* TestClock.adjust("2 days")
        const { assetId } = yield* admin.addBlobAsset("000001", "sub-1/a.nwb", { _tag: "Bytes", bytes: hello })
        yield* admin.runBackgroundJobs
        const accepted = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(accepted.status).toBe(202)
        expect(accepted.text).toBe("")
        expect(yield* status(api)).toBe("Publishing")
        const locked = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(locked.status).toBe(423)
        expect(locked.json).toBe("Dandiset is currently being published")
        yield* TestClock.adjust("500 millis")
        expect(yield* status(api)).toBe("Published")
        const versions = yield* api("GET", "/dandisets/000001/versions/?order=-created")
        const newest = versions.json.results[0]
        expect(newest.version).toMatch(/^0\.\d{6}\.\d{4}$/)
        expect(newest.status).toBe("Valid")
        const md = yield* api("GET", `/dandisets/000001/versions/${newest.version}/`)
        expect(md.json.doi).toBe(`10.80507/dandi.000001/${newest.version}`)
        expect(md.json.citation).toContain(`https://doi.org/10.80507/dandi.000001/${newest.version}`)
        expect(md.json.publishedBy.name).toBe("DANDI publish")
        expect(md.json.assetsSummary.numberOfFiles).toBe(1)
        expect(md.json.assetsSummary.numberOfBytes).toBe(12)
        const manifest = yield* storage("GET", md.json.manifestLocation[0])
        expect(manifest.status).toBe(200)
        expect(JSON.parse(manifest.text).map((a: any) => a.identifier)).toEqual([assetId])
        const asset = yield* api("GET", `/dandisets/000001/versions/${newest.version}/assets/${assetId}/`)
        expect(asset.json.datePublished).toBeDefined()
        const again = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(again.json).toBe("There have been no changes to the draft version since the last publish.")
        const edit = yield* api("PUT", `/dandisets/000001/versions/${newest.version}/`, {
          token: "owner-token",
          body: { name: "x", metadata: {} }
        })
        expect(edit.status).toBe(405)
        expect(edit.json).toBe("Only draft versions can be modified.")
        const del = yield* api("DELETE", "/dandisets/000001/", { token: "owner-token" })
        expect(del.json).toBe("Cannot delete dandisets with published versions.")
        const list = yield* api("GET", "/dandisets/")
        expect(list.json.results[0].most_recent_published_version.version).toBe(newest.version)
        expect(list.json.results[0].draft_version.status).toBe("Published")
      }))

    // models/version.py next_published_version: `0.%y%m%d.%H%M` of the UTC instant the publish
    // task runs, a minute later on each collision, so a collision just before midnight rolls over
    // to the next day (test_version.py::test_version_next_published_version_simultaneous,
    // ::test_version_next_published_version_preexisting).
    for (const [label, sinceMidnight, first, second] of [
      [TIMES_OF_DAY[0][0], TIMES_OF_DAY[0][1], [0, "0000"], [0, "0001"]],
      [TIMES_OF_DAY[1][0], TIMES_OF_DAY[1][1], [0, "1200"], [0, "1201"]],
      [TIMES_OF_DAY[2][0], TIMES_OF_DAY[2][1], [0, "2359"], [1, "0000"]]
    ] as const) {
      it.scoped(`names published versions by the UTC minute they are published in, ${label}`, () =>
        Effect.gen(function*() {
          const { admin, api } = yield* setup
          const dayPlus = yield* clockToTimeOfDay(sinceMidnight)
          const versionId = ([days, time]: readonly [number, string]) => `0.${dayPlus(days).slice(2).replaceAll("-", "")}.${time}`
          const publish = Effect.gen(function*() {
            yield* admin.runBackgroundJobs
            expect((yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })).status).toBe(202)
            yield* TestClock.adjust("300 millis")
            const versions = yield* api("GET", "/dandisets/000001/versions/?order=-created")
            return versions.json.results[0].version as string
          })
          yield* admin.addBlobAsset("000001", "a.txt", { _tag: "Bytes", bytes: hello })
          expect(yield* publish).toBe(versionId(first))
          yield* admin.addBlobAsset("000001", "b.txt", { _tag: "Bytes", bytes: hello })
          expect(yield* publish).toBe(versionId(second))
        }))
    }

    it.scoped("refuses to publish dandisets that contain zarrs, and embargoed ones", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* api("POST", "/dandisets/?embargo=true", { token: "owner-token", body: { name: "E", metadata } })
        yield* admin.runBackgroundJobs
        const embargoed = yield* api("POST", "/dandisets/000002/versions/draft/publish/", { token: "owner-token" })
        expect(embargoed.json).toBe("Operation only allowed on OPEN dandisets")
        yield* api("POST", "/zarr/", { token: "owner-token", body: { name: "x.zarr", dandiset: "000001" } })
        const zarr = yield* api("POST", "/dandisets/000001/versions/draft/publish/", { token: "owner-token" })
        expect(zarr.json).toBe("Cannot publish dandisets which contain zarrs")
      }))

    it.scoped("lists versions in creation order and rejects unknown orders", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* admin.runBackgroundJobs
        const { version } = yield* admin.publish("000001")
        const list = yield* api("GET", "/dandisets/000001/versions/")
        expect(list.json.results.map((v: any) => v.version)).toEqual(["draft", version])
        expect(list.json.results[0].dandiset.identifier).toBe("000001")
        const bad = yield* api("GET", "/dandisets/000001/versions/?order=name")
        expect(bad.json).toEqual({ order: ["Select a valid choice. name is not one of the available choices."] })
        const missing = yield* api("GET", "/dandisets/000001/versions/0.990101.0000/")
        expect(missing.json).toEqual({ detail: "Not found." })
        const draftDelete = yield* api("DELETE", "/dandisets/000001/versions/draft/", { token: "admin-token" })
        expect(draftDelete.json).toBe("Cannot delete draft versions")
        const ownerDelete = yield* api("DELETE", `/dandisets/000001/versions/${version}/`, { token: "owner-token" })
        expect(ownerDelete.json).toBe("Cannot delete published versions")
      }))
  })
}
