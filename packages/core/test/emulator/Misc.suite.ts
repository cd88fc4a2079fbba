import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Harness, hello, utf8 } from "./TestArchive.js"

export const miscSuite = (harness: Harness) => {
  const { withUsers } = harness

  describe(`emulator misc endpoints [${harness.name}]`, () => {
    it.scoped("reports stats, schemas and the available models", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "Seeded", owners: ["owner"] })
        yield* admin.addBlobAsset(identifier, "a.txt", { _tag: "Bytes", bytes: hello })
        yield* admin.publish(identifier)
        const stats = yield* api("GET", "/stats/")
        expect(stats.json).toEqual({ dandiset_count: 1, published_dandiset_count: 1, user_count: 3, size: 12 })
        const models = yield* api("GET", "/schemas/available/")
        expect(models.json).toEqual(["Dandiset", "Asset", "PublishedDandiset", "PublishedAsset"])
        const schema = yield* api("GET", "/schemas/?model=Dandiset")
        expect(schema.json.type).toBe("object")
        expect(schema.json.required).toContain("contributor")
        const missing = yield* api("GET", "/schemas/")
        expect(missing.json).toEqual({ model: ["This field is required."] })
        const bad = yield* api("GET", "/schemas/?model=Nope")
        expect(bad.json).toEqual({ model: ["\"Nope\" is not a valid choice."] })
      }))

    it.scoped("searches species and genotypes among visible assets", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "S", owners: ["owner"] })
        yield* admin.addBlobAsset(identifier, "a.nwb", { _tag: "Bytes", bytes: hello }, {
          wasAttributedTo: [{ schemaKey: "Participant", species: { name: "Mus musculus - House mouse" }, genotype: "Cre+" }]
        })
        const species = yield* api("GET", "/search/species/?species=mus")
        expect(species.json).toEqual({ count: 1, next: null, previous: null, results: ["Mus musculus - House mouse"] })
        const genotypes = yield* api("GET", "/search/genotypes/?genotype=cre")
        expect(genotypes.json).toEqual(["Cre+"])
        yield* admin.runBackgroundJobs
        const summary = yield* api("GET", `/dandisets/${identifier}/versions/draft/`)
        expect(summary.json.assetsSummary.species).toEqual([{ name: "Mus musculus - House mouse" }])
        const bySpecies = yield* api("GET", "/dandisets/?search=species:mouse")
        expect(bySpecies.json.count).toBe(1)
        const byType = yield* api("GET", "/dandisets/?search=file_type:nwb")
        expect(byType.json.count).toBe(1)
        const noneType = yield* api("GET", "/dandisets/?search=file_type:video")
        expect(noneType.json.count).toBe(0)
      }))

    it.scoped("searches users for approved callers only", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const found = yield* api("GET", "/users/search/?username=sam", { token: "owner-token" })
        expect(found.json).toEqual([{ username: "other", name: "Sam Other", admin: false, status: "APPROVED" }])
        const blank = yield* api("GET", "/users/search/", { token: "owner-token" })
        expect(blank.json).toEqual([])
        const unapproved = yield* api("GET", "/users/search/?username=sam", { token: "pending-token" })
        expect(unapproved.status).toBe(403)
        const staff = yield* api("GET", "/users/", { token: "other-token" })
        expect(staff.status).toBe(403)
        const list = yield* api("GET", "/users/", { token: "admin-token" })
        expect(list.json).toEqual(["other", "owner", "root"])
      }))

    it.scoped("keeps uploads owner-only even for reads and clears them on DELETE", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        yield* api("POST", "/dandisets/?embargo=true", { token: "owner-token", body: { name: "E", metadata: {} } })
        yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          body: { contentSize: 3, digest: { algorithm: "dandi:dandi-etag", value: "x-1" }, dandiset: "000001" }
        })
        const anon = yield* api("GET", "/dandisets/000001/uploads/")
        expect(anon.status).toBe(401)
        const other = yield* api("GET", "/dandisets/000001/uploads/", { token: "other-token" })
        expect(other.status).toBe(403)
        const blocked = yield* api("POST", "/dandisets/000001/unembargo/", { token: "owner-token" })
        expect(blocked.json).toBe("Dandiset unembargo not allowed with active uploads")
        const info = yield* api("GET", "/dandisets/000001/", { token: "owner-token" })
        expect(info.json.draft_version.active_uploads).toBe(1)
        const cleared = yield* api("DELETE", "/dandisets/000001/uploads/", { token: "owner-token" })
        expect(cleared.status).toBe(204)
        const ok = yield* api("POST", "/dandisets/000001/unembargo/", { token: "owner-token" })
        expect(ok.status).toBe(200)
      }))

    it.scoped("keeps embargoed bytes private on the store until unembargo", () =>
      Effect.gen(function*() {
        const { admin, api, storage, storageUrl } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({ name: "E", owners: ["owner"], embargoed: true })
        const { assetId, blobId } = yield* admin.addBlobAsset(identifier, "s.bin", { _tag: "Bytes", bytes: utf8("secret") })
        const publicUrl = `${storageUrl}/dandiarchive/blobs/${blobId.slice(0, 3)}/${blobId.slice(3, 6)}/${blobId}`
        expect((yield* storage("GET", publicUrl)).status).toBe(403)
        const signed = yield* api("GET", `/assets/${assetId}/download/`, { token: "owner-token" })
        expect((yield* storage("GET", signed.headers.location!)).text).toBe("secret")
        yield* api("POST", `/dandisets/${identifier}/unembargo/`, { token: "owner-token" })
        yield* admin.runBackgroundJobs
        expect((yield* storage("GET", publicUrl)).text).toBe("secret")
        const md = yield* api("GET", `/assets/${assetId}/`)
        expect(md.json.access).toEqual([{ schemaKey: "AccessRequirements", status: "dandi:OpenAccess" }])
      }))

    it.scoped("seeds a publishable dandiset whose metadata merges over the generated document", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        const { identifier } = yield* admin.createDandiset({
          identifier: "000042",
          name: "Merged",
          owners: ["owner"],
          metadata: { keywords: ["k"] }
        })
        expect(identifier).toBe("000042")
        // publishable once it holds bytes (dandischema refuses an empty dandiset)
        yield* admin.addBlobAsset(identifier, "data.txt", { _tag: "Bytes", bytes: hello })
        yield* admin.runBackgroundJobs
        const info = yield* api("GET", "/dandisets/000042/versions/draft/info/")
        expect(info.json.status).toBe("Valid")
        expect(info.json.metadata.keywords).toEqual(["k"])
        expect(info.json.contact_person).toBe("Doe, Jane")
      }))
  })
}
