import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { type Harness, hello, utf8 } from "./TestArchive.js"

const defectMessage = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded"

export const seedingSuite = (harness: Harness) => {
  const { withUsers } = harness

  describe(`emulator seeding and faceted search [${harness.name}]`, () => {
    it.scoped("refuses duplicate or malformed seeded identifiers with a message that says what to do", () =>
      Effect.gen(function*() {
        const { admin } = yield* withUsers
        yield* admin.createDandiset({ identifier: "000007", name: "A", owners: ["owner"] })
        const dup = yield* Effect.exit(admin.createDandiset({ identifier: "000007", name: "B", owners: ["owner"] }))
        expect(defectMessage(dup)).toContain("Dandiset 000007 already exists in the emulator; omit the identifier")
        const bad = yield* Effect.exit(admin.createDandiset({ identifier: "7", name: "B", owners: ["owner"] }))
        expect(defectMessage(bad)).toContain("is not six digits")
        const missing = yield* Effect.exit(admin.addBlobAsset("000999", "x", { _tag: "Bytes", bytes: hello }))
        expect(defectMessage(missing)).toContain("No dandiset 000999 in the emulator")
      }))

    it.scoped("stores seeded paths as given and deduplicates seeded blobs by etag", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "Hostile", owners: ["owner"] })
        const first = yield* admin.addBlobAsset(identifier, "../escape.txt", { _tag: "Bytes", bytes: hello })
        const second = yield* admin.addBlobAsset(identifier, "/abs/é.txt", { _tag: "Bytes", bytes: hello })
        expect(second.blobId).toBe(first.blobId)
        const listed = yield* api("GET", `/dandisets/${identifier}/versions/draft/assets/?order=path`)
        expect(listed.json.results.map((a: any) => a.path)).toEqual(["../escape.txt", "/abs/é.txt"])
        const replaced = yield* admin.addBlobAsset(identifier, "../escape.txt", { _tag: "Bytes", bytes: utf8("v2") })
        const again = yield* api("GET", `/dandisets/${identifier}/versions/draft/assets/?path=../escape.txt`)
        expect(again.json.results.map((a: any) => a.asset_id)).toEqual([replaced.assetId])
      }))

    it.scoped("reports pending assets in version info until their SHA-256 is computed", () =>
      Effect.gen(function*() {
        const { admin, api, storage } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "Pending", owners: ["owner"] })
        const init = yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          body: { contentSize: 12, digest: { algorithm: "dandi:dandi-etag", value: "8d780cfbcd9622aa77011564e615065f-1" }, dandiset: identifier }
        })
        yield* storage("PUT", init.json.parts[0].upload_url, { rawBody: hello })
        const complete = yield* api("POST", `/uploads/${init.json.upload_id}/complete/`, {
          token: "owner-token",
          body: { parts: [{ part_number: 1, size: 12, etag: "6f5902ac237024bdd0c176cb93063dc4" }] }
        })
        yield* storage("POST", complete.json.complete_url, { rawBody: utf8(complete.json.body) })
        const blob = yield* api("POST", `/uploads/${init.json.upload_id}/validate/`, { token: "owner-token" })
        yield* api("POST", `/dandisets/${identifier}/versions/draft/assets/`, {
          token: "owner-token",
          body: { blob_id: blob.json.blob_id, metadata: { path: "a.txt", encodingFormat: "text/plain" } }
        })
        const info = yield* api("GET", `/dandisets/${identifier}/versions/draft/info/`)
        expect(info.json.asset_validation_errors).toEqual([
          { field: "", message: "asset is currently being validated, please wait.", path: "a.txt" }
        ])
        const md = yield* api("GET", `/dandisets/${identifier}/versions/draft/assets/?metadata=1`)
        expect(md.json.results[0].metadata.digest).toEqual({ "dandi:dandi-etag": "8d780cfbcd9622aa77011564e615065f-1" })
        yield* admin.runBackgroundJobs
        const after = yield* api("GET", `/dandisets/${identifier}/versions/draft/info/`)
        expect(after.json.asset_validation_errors).toEqual([])
        expect(after.json.status).toBe("Valid")
        expect(after.json.metadata.assetsSummary).toMatchObject({ numberOfFiles: 1, numberOfBytes: 12 })
        const validation = yield* api("GET", `/dandisets/${identifier}/versions/draft/assets/${md.json.results[0].asset_id}/validation/`)
        expect(validation.json).toEqual({ status: "Valid", validation_errors: [] })
      }))

    it.scoped("filters the faceted search and counts matching assets", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const a = yield* admin.createDandiset({ name: "Mice", owners: ["owner"] })
        yield* admin.addBlobAsset(a.identifier, "m.nwb", { _tag: "Bytes", bytes: hello }, {
          wasAttributedTo: [{ species: { name: "Mus musculus" } }]
        })
        yield* admin.addBlobAsset(a.identifier, "m.png", { _tag: "Bytes", bytes: utf8("png") }, { encodingFormat: "image/png" })
        const b = yield* admin.createDandiset({ name: "Text", owners: ["owner"] })
        yield* admin.addBlobAsset(b.identifier, "t.txt", { _tag: "Bytes", bytes: utf8("t") })
        const nwb = yield* api("GET", "/dandisets/search/?file_type=application/x-nwb")
        expect(nwb.json.results.map((d: any) => [d.identifier, d.asset_counts])).toEqual([[a.identifier, { file_type: 1 }]])
        const either = yield* api("GET", "/dandisets/search/?file_type=image/&file_type=text/")
        expect(either.json.results.map((d: any) => d.asset_counts)).toEqual([{ file_type: 1 }, { file_type: 1 }])
        const species = yield* api("GET", "/dandisets/search/?species=Mus%20musculus")
        expect(species.json.count).toBe(1)
        const unknown = yield* api("GET", "/dandisets/search/?species=Unicorn")
        expect(unknown.json).toEqual({ species: ["Select a valid choice. Unicorn is not one of the available choices."] })
        const sizes = yield* api("GET", "/dandisets/search/?file_size_min=10&file_size_max=1")
        expect(sizes.json).toEqual({ non_field_errors: ["file_size_max must be greater than file_size_min"] })
        const big = yield* api("GET", "/dandisets/search/?file_size_min=10")
        expect(big.json.results.map((d: any) => [d.identifier, d.asset_counts])).toEqual([[a.identifier, { file_size: 1 }]])
        const slashless = yield* api("GET", "/dandisets/search")
        expect(slashless.status).toBe(301)
      }))

    it.scoped("checks asset PUT in the archive's order", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "Put", owners: ["owner"] })
        const one = yield* admin.addBlobAsset(identifier, "one.txt", { _tag: "Bytes", bytes: utf8("1") })
        yield* admin.addBlobAsset(identifier, "two.txt", { _tag: "Bytes", bytes: utf8("2") })
        const url = `/dandisets/${identifier}/versions/draft/assets/${one.assetId}/`
        const put = (body: unknown) => api("PUT", url, { token: "owner-token", body })
        expect((yield* put({ metadata: { path: "x" } })).json).toEqual({ blob_id: ["Exactly one of blob_id or zarr_id must be specified."] })
        const collide = yield* put({ blob_id: one.blobId, metadata: { path: "two.txt" } })
        expect(collide.status).toBe(409)
        expect(collide.json).toBe("An asset with that path already exists")
        const unknown = yield* api("PUT", `/dandisets/${identifier}/versions/draft/assets/7b6a1d90-09b0-427f-bc86-2bbab7c2df3e/`, {
          token: "owner-token",
          body: { blob_id: one.blobId, metadata: { path: "z" } }
        })
        expect(unknown.json).toEqual({ detail: "Not found." })
        const { version } = yield* admin.publish(identifier)
        const published = yield* api("PUT", `/dandisets/${identifier}/versions/${version}/assets/${one.assetId}/`, {
          token: "owner-token",
          body: { blob_id: one.blobId, metadata: { path: "z" } }
        })
        expect(published.status).toBe(405)
        expect(published.json).toBe("Only draft versions can be modified.")
        const changed = yield* put({ blob_id: one.blobId, metadata: { path: "one.txt", encodingFormat: "text/plain", note: 1 } })
        expect(changed.json.asset_id).not.toBe(one.assetId)
        const kept = yield* api("GET", `/dandisets/${identifier}/versions/${version}/assets/${one.assetId}/info/`)
        expect(kept.status).toBe(200)
        const draft = yield* api("GET", `/dandisets/${identifier}/versions/draft/info/`)
        expect(draft.json.status).toBe("Pending")
      }))
  })
}
