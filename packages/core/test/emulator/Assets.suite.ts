import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Harness, hello, utf8 } from "./TestArchive.js"

const ASSETS = "/dandisets/000001/versions/draft/assets/"

export const assetsSuite = (harness: Harness) => {
  const { withUsers } = harness

  const setup = Effect.gen(function*() {
    const archive = yield* withUsers
    yield* archive.api("POST", "/dandisets/", {
      token: "owner-token",
      body: { name: "Assets", metadata: { description: "d", license: ["spdx:CC0-1.0"] } }
    })
    const { blobId } = yield* archive.admin.addBlobAsset("000001", "seed/hello.txt", { _tag: "Bytes", bytes: hello })
    return { ...archive, blobId }
  })

  describe(`emulator assets [${harness.name}]`, () => {
    it.scoped("creates an asset with 200, computed metadata overlaid and client values for computed keys discarded", () =>
      Effect.gen(function*() {
        const { api, apiUrl, blobId, storageUrl } = yield* setup
        const r = yield* api("POST", ASSETS, {
          token: "owner-token",
          body: {
            blob_id: blobId,
            metadata: { path: "sub-1/a.nwb", encodingFormat: "application/x-nwb", contentSize: 999, id: "mine" }
          }
        })
        expect(r.status).toBe(200)
        expect(Object.keys(r.json)).toEqual(["asset_id", "blob", "zarr", "path", "size", "created", "modified", "metadata"])
        const id = r.json.asset_id
        expect(r.json.size).toBe(12)
        expect(r.json.metadata.contentSize).toBe(12)
        expect(r.json.metadata.id).toBe(`dandiasset:${id}`)
        expect(r.json.metadata.identifier).toBe(id)
        expect(r.json.metadata.path).toBe("sub-1/a.nwb")
        expect(r.json.metadata.schemaVersion).toBe("0.7.0")
        expect(r.json.metadata.digest).toEqual({
          "dandi:dandi-etag": "8d780cfbcd9622aa77011564e615065f-1",
          "dandi:sha2-256": "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
        })
        expect(r.json.metadata.contentUrl).toEqual([
          `${apiUrl}/assets/${id}/download/`,
          `${storageUrl}/dandiarchive/blobs/${blobId.slice(0, 3)}/${blobId.slice(3, 6)}/${blobId}`
        ])
        const draft = yield* api("GET", "/dandisets/000001/versions/draft/info/")
        expect(draft.json.status).toBe("Pending")
      }))

    it.scoped("checks asset bodies in the archive's order with its messages", () =>
      Effect.gen(function*() {
        const { api, blobId } = yield* setup
        const post = (body: unknown, token = "owner-token") => api("POST", ASSETS, { token, body })
        expect((yield* post({ blob_id: blobId, metadata: { path: "x" } }, "other-token")).status).toBe(403)
        expect((yield* post({ metadata: { path: "x" } })).json).toEqual({
          blob_id: ["Exactly one of blob_id or zarr_id must be specified."]
        })
        expect((yield* post({ blob_id: blobId, metadata: {} })).json).toEqual({ metadata: ["No path specified in metadata."] })
        expect((yield* post({ blob_id: blobId, metadata: { path: "/abs" } })).json).toEqual({
          non_field_errors: ["Path must not begin with /"]
        })
        for (const bad of ["a/../b", "./x", "foo/.", "a//b", "a/", "é.txt", "."]) {
          expect((yield* post({ blob_id: blobId, metadata: { path: bad } })).json, bad).toEqual({
            non_field_errors: ["Path improperly formatted"]
          })
        }
        expect((yield* post({ blob_id: blobId, metadata: { path: "foo/.bar" } })).status).toBe(200)
        // ASSET_PATH_REGEX's \s is Python's (test_asset.py::test_asset_create_path_validation's
        // regex): \x1c–\x1f and \x85 are whitespace to it, \ufeff is not
        for (const [path, status] of [["sep\x1cchar", 200], ["unit\x1fsep", 200], ["next\x85line", 200], ["bom\ufeff", 400]] as const) {
          expect((yield* post({ blob_id: blobId, metadata: { path } })).status, JSON.stringify(path)).toBe(status)
        }
        expect((yield* post({ blob_id: "nope", metadata: { path: "x" } })).json).toEqual({ blob_id: ["Must be a valid UUID."] })
        expect((yield* post({ blob_id: "7b6a1d90-09b0-427f-bc86-2bbab7c2df3e", metadata: { path: "x" } })).status).toBe(404)
        const taken = yield* post({ blob_id: blobId, metadata: { path: "seed/hello.txt" } })
        expect(taken.status).toBe(409)
        expect(taken.json).toBe("An asset with that path already exists")
        const folder = yield* post({ blob_id: blobId, metadata: { path: "seed" } })
        expect(folder.status).toBe(409)
        expect(folder.json).toBe("Path of new asset \"seed\" conflicts with existing assets: ['seed/hello.txt']")
        const under = yield* post({ blob_id: blobId, metadata: { path: "seed/hello.txt/inner" } })
        expect(under.json).toBe("Path of new asset \"seed/hello.txt/inner\" conflicts with existing assets: ['seed/hello.txt']")
        // asset_paths.py get_conflicting_paths: a folder conflicts with every path under it,
        // folders included, in path order (AssetPathConflictError,
        // test_asset.py::test_asset_create_conflicting_path)
        expect((yield* post({ blob_id: blobId, metadata: { path: "x/y/z.txt" } })).status).toBe(200)
        const nested = yield* post({ blob_id: blobId, metadata: { path: "x" } })
        expect(nested.status).toBe(409)
        expect(nested.json).toBe("Path of new asset \"x\" conflicts with existing assets: ['x/y', 'x/y/z.txt']")
      }))

    // views/asset.py AssetRequestSerializer (metadata JSONField, blob_id and zarr_id UUIDFields):
    // DRF checks every field first and reports all their errors together, and only then runs
    // validate() (test_asset.py::test_asset_create_no_blob_or_zarr, ::test_asset_create_blob_and_zarr,
    // ::test_asset_create_no_path give validate()'s messages). A null id is a field error, not an
    // absent one; an id is read as Python's uuid.UUID reads it.
    it.scoped("checks every field of an asset body before the body as a whole, as DRF does", () =>
      Effect.gen(function*() {
        const { api, blobId } = yield* setup
        const post = (body: unknown) => api("POST", ASSETS, { token: "owner-token", body })
        const nullBlob = yield* post({ blob_id: null, metadata: { path: "x" } })
        expect(nullBlob.status).toBe(400)
        expect(nullBlob.json).toEqual({ blob_id: ["This field may not be null."] })
        expect((yield* post({ blob_id: "nope", metadata: { path: "/abs" } })).json).toEqual({ blob_id: ["Must be a valid UUID."] })
        expect((yield* post({ blob_id: "nope" })).json).toEqual({
          metadata: ["This field is required."],
          blob_id: ["Must be a valid UUID."]
        })
        expect((yield* post({ blob_id: "nope", zarr_id: 1.5, metadata: null })).json).toEqual({
          metadata: ["This field may not be null."],
          blob_id: ["Must be a valid UUID."],
          zarr_id: ["Must be a valid UUID."]
        })
        expect((yield* post({ blob_id: blobId, metadata: "no key here" })).json).toEqual({ metadata: ["No path specified in metadata."] })
        expect((yield* post({ blob_id: blobId, metadata: { path: 0 } })).json).toEqual({ metadata: ["No path specified in metadata."] })
        const braced = yield* post({ blob_id: `{${blobId.toUpperCase()}}`, metadata: { path: "braced.txt" } })
        expect(braced.status).toBe(200)
        expect(braced.json.blob).toBe(blobId)
        const urn = yield* post({ blob_id: `urn:uuid:${blobId.replaceAll("-", "")}`, metadata: { path: "urn.txt" } })
        expect(urn.json.blob).toBe(blobId)
      }))

    it.scoped("filters listings by path prefix with the exact-match rule, by glob, and orders by raw bytes", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        for (const path of ["foo.txt", "foo/bar.txt", "aa/z", "a/z", "Foo/x.TXT"]) {
          yield* admin.addBlobAsset("000001", path, { _tag: "Bytes", bytes: utf8(path) })
        }
        const paths = (r: any) => r.json.results.map((a: any) => a.path)
        expect(paths(yield* api("GET", `${ASSETS}?path=foo&order=path`))).toEqual(["Foo/x.TXT", "foo.txt", "foo/bar.txt"])
        expect(paths(yield* api("GET", `${ASSETS}?path=foo/&order=path`))).toEqual(["Foo/x.TXT", "foo/bar.txt"])
        expect(paths(yield* api("GET", `${ASSETS}?path=foo.txt`))).toEqual(["foo.txt"])
        expect(paths(yield* api("GET", `${ASSETS}?glob=*.txt&order=path`))).toEqual([
          "Foo/x.TXT", "foo.txt", "foo/bar.txt", "seed/hello.txt"
        ])
        expect(paths(yield* api("GET", `${ASSETS}?glob=a/z`))).toEqual(["a/z"])
        expect(paths(yield* api("GET", `${ASSETS}?glob=a?z`))).toEqual([])
        expect(paths(yield* api("GET", `${ASSETS}?path=a&order=path`))).toEqual(["a/z", "aa/z"])
        expect(paths(yield* api("GET", `${ASSETS}?path=a&order=-path`))).toEqual(["aa/z", "a/z"])
        const bad = yield* api("GET", `${ASSETS}?order=size`)
        expect(bad.status).toBe(400)
        expect(bad.json).toEqual({ order: ["Select a valid choice. size is not one of the available choices."] })
        const withMd = yield* api("GET", `${ASSETS}?path=a/z&metadata=1`)
        expect(withMd.json.results[0].metadata.path).toBe("a/z")
      }))

    it.scoped("a whole listing, sorted once for its pages, follows every later addition, rename and deletion", () =>
      Effect.gen(function*() {
        const { admin, api, blobId } = yield* setup
        const paths = (r: any) => r.json.results.map((a: any) => a.path)
        const listed = (order: string) => api("GET", `${ASSETS}?order=${order}&page_size=2`)
        expect(paths(yield* listed("path"))).toEqual(["seed/hello.txt"])
        yield* admin.addBlobAsset("000001", "b.txt", { _tag: "Bytes", bytes: utf8("b") })
        expect(paths(yield* listed("path"))).toEqual(["b.txt", "seed/hello.txt"])
        const a = yield* api("POST", ASSETS, { token: "owner-token", body: { blob_id: blobId, metadata: { path: "c.txt" } } })
        expect(paths(yield* listed("path"))).toEqual(["b.txt", "c.txt"])
        expect(paths(yield* listed("-path"))).toEqual(["seed/hello.txt", "c.txt"])
        const renamed = yield* api("PUT", `${ASSETS}${a.json.asset_id}/`, {
          token: "owner-token",
          body: { blob_id: blobId, metadata: { path: "a.txt" } }
        })
        expect(paths(yield* listed("path"))).toEqual(["a.txt", "b.txt"])
        yield* api("DELETE", `${ASSETS}${renamed.json.asset_id}/`, { token: "owner-token" })
        expect(paths(yield* listed("path"))).toEqual(["b.txt", "seed/hello.txt"])
        expect(paths(yield* api("GET", `${ASSETS}?order=path&page_size=2&page=2`))).toEqual([])
      }))

    it.scoped("paginates the asset list lazily", () =>
      Effect.gen(function*() {
        const { admin, api, apiUrl } = yield* setup
        for (const n of [1, 2]) yield* admin.addBlobAsset("000001", `f${n}`, { _tag: "Bytes", bytes: utf8(`f${n}`) })
        const p1 = yield* api("GET", `${ASSETS}?page_size=2`)
        expect(p1.json.count).toBe(3)
        expect(p1.json.next).toBe(`${apiUrl}${ASSETS}?page=2&page_size=2`)
        const p2 = yield* api("GET", `${ASSETS}?page=2&page_size=2`)
        expect(p2.json.count).toBeNull()
        expect(p2.json.next).toBeNull()
        expect(p2.json.results).toHaveLength(1)
        const past = yield* api("GET", `${ASSETS}?page=9&page_size=2`)
        expect(past.status).toBe(200)
        expect(past.json).toEqual({ count: null, next: null, previous: `${apiUrl}${ASSETS}?page=8&page_size=2`, results: [] })
        const invalid = yield* api("GET", `${ASSETS}?page=0`)
        expect(invalid.status).toBe(404)
      }))

    it.scoped("updates into a new asset id unless nothing changed, and renames by path", () =>
      Effect.gen(function*() {
        const { api, blobId } = yield* setup
        const listed = yield* api("GET", `${ASSETS}?metadata=1`)
        const seeded = listed.json.results[0]
        // services/asset change_asset → Asset.is_different_from compares the stored document with
        // the new one minus ASSET_COMPUTED_FIELDS, which do not include `@context`: the computed
        // keys alone change nothing, a `@context` the stored document lacks makes a new asset.
        const { "@context": context, ...withoutContext } = seeded.metadata
        expect(context).toMatch(/^https:\/\/raw\.githubusercontent\.com\/dandi\/schema\/master\/releases\//)
        const same = yield* api("PUT", `${ASSETS}${seeded.asset_id}/`, {
          token: "owner-token",
          body: { blob_id: blobId, metadata: withoutContext }
        })
        expect(same.json.asset_id).toBe(seeded.asset_id)
        const contextAdded = yield* api("PUT", `${ASSETS}${seeded.asset_id}/`, {
          token: "owner-token",
          body: { blob_id: blobId, metadata: seeded.metadata }
        })
        expect(contextAdded.json.asset_id).not.toBe(seeded.asset_id)
        const original = contextAdded.json
        const again = yield* api("PUT", `${ASSETS}${original.asset_id}/`, {
          token: "owner-token",
          body: { blob_id: blobId, metadata: seeded.metadata }
        })
        expect(again.json.asset_id).toBe(original.asset_id)
        const renamed = yield* api("PUT", `${ASSETS}${original.asset_id}/`, {
          token: "owner-token",
          body: { blob_id: blobId, metadata: { ...seeded.metadata, path: "moved/hello.txt" } }
        })
        expect(renamed.json.asset_id).not.toBe(original.asset_id)
        expect(renamed.json.path).toBe("moved/hello.txt")
        const old = yield* api("GET", `/assets/${original.asset_id}/`)
        expect(old.status).toBe(200)
        const oldNested = yield* api("GET", `${ASSETS}${original.asset_id}/`)
        expect(oldNested.status).toBe(404)
        const del = yield* api("DELETE", `${ASSETS}${renamed.json.asset_id}/`, { token: "owner-token" })
        expect(del.status).toBe(204)
        const empty = yield* api("GET", ASSETS)
        expect(empty.json.count).toBe(0)
      }))

    it.scoped("browses folders with aggregates and resolves webdav paths", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* admin.addBlobAsset("000001", "seed/sub/b.txt", { _tag: "Bytes", bytes: utf8("1234") })
        const root = yield* api("GET", `${ASSETS}paths/`)
        expect(root.json.results).toEqual([
          { path: "seed", version: expect.any(Number), aggregate_files: 2, aggregate_size: 16, asset: null }
        ])
        const seed = yield* api("GET", `${ASSETS}paths/?path_prefix=seed/`)
        expect(seed.json.results.map((r: any) => r.path)).toEqual(["seed/hello.txt", "seed/sub"])
        expect(seed.json.results[0].asset.url).toContain("/dandiarchive/blobs/")
        const missing = yield* api("GET", `${ASSETS}paths/?path_prefix=nope`)
        expect(missing.json).toEqual({ detail: "Specified path not found." })
        const dav = yield* api("GET", "/webdav/assets/atpath/?dandiset_id=000001&version_id=draft&path=seed&children=true")
        expect(dav.json.results.map((r: any) => [r.type, r.resource.path])).toEqual([
          ["folder", "seed"], ["asset", "seed/hello.txt"], ["folder", "seed/sub"]
        ])
        const fileSlash = yield* api("GET", "/webdav/assets/atpath/?dandiset_id=000001&version_id=draft&path=seed/hello.txt/")
        expect(fileSlash.json).toEqual({ detail: "Folder not found at seed/hello.txt" })
        const nothing = yield* api("GET", "/webdav/assets/atpath/?dandiset_id=000001&version_id=draft&path=x/y")
        expect(nothing.json).toEqual({ detail: "Folder or asset not found at x/y" })
      }))

    it.scoped("serves downloads as 302 (also for HEAD) and refuses zarr downloads", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        const listed = yield* api("GET", ASSETS)
        const id = listed.json.results[0].asset_id
        const head = yield* api("HEAD", `${ASSETS}${id}/download/`)
        expect(head.status).toBe(302)
        expect(head.headers.location).toContain("response-content-disposition=attachment")
        const { assetId } = yield* admin.addZarrAsset("000001", "x.zarr", { ".zgroup": { _tag: "Bytes", bytes: utf8("{}") } })
        const zarr = yield* api("GET", `/assets/${assetId}/download/`)
        expect(zarr.status).toBe(400)
        expect(zarr.json).toBe("Unable to provide download link for zarr assets. Please browse the zarr files directly to do so.")
      }))

    it.scoped("judges top-level asset access by the blob's embargo", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        yield* api("POST", "/dandisets/?embargo=true", { token: "owner-token", body: { name: "E", metadata: {} } })
        const { assetId } = yield* admin.addBlobAsset("000002", "secret.bin", { _tag: "Bytes", bytes: utf8("secret") })
        expect((yield* api("GET", `/assets/${assetId}/`)).status).toBe(401)
        expect((yield* api("GET", `/assets/${assetId}/info/`, { token: "other-token" })).status).toBe(403)
        const owner = yield* api("GET", `/assets/${assetId}/`, { token: "owner-token" })
        expect(owner.json.access[0].status).toBe("dandi:EmbargoedAccess")
        expect((yield* api("GET", `/assets/${assetId}/`, { token: "admin-token" })).status).toBe(200)
      }))

    it.scoped("serves seeded record assets verbatim and lists them", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* setup
        const record = {
          asset_id: "0a0b0c0d-0000-4000-8000-000000000001",
          blob: "0a0b0c0d-0000-4000-8000-000000000002",
          zarr: null,
          path: "sub-X/sub-X.nwb",
          size: 123456,
          created: "2021-01-01T00:00:00.123000Z",
          modified: "2021-01-02T00:00:00Z",
          metadata: { schemaKey: "Asset", path: "sub-X/sub-X.nwb", contentSize: 123456 }
        }
        const { assetId } = yield* admin.addRecordAsset("000001", record)
        expect(assetId).toBe(record.asset_id)
        const listed = yield* api("GET", `${ASSETS}?path=sub-X`)
        expect(listed.json.results).toEqual([{
          asset_id: record.asset_id,
          blob: record.blob,
          zarr: null,
          path: record.path,
          size: 123456,
          created: "2021-01-01T00:00:00.123000Z",
          modified: "2021-01-02T00:00:00Z"
        }])
        const md = yield* api("GET", `/assets/${assetId}/`)
        expect(md.json).toEqual(record.metadata)
      }))

    it.scoped("caps page_size at 1000", () =>
      Effect.gen(function*() {
        const { admin, api, apiUrl } = yield* setup
        for (let i = 0; i < 1000; i++) {
          yield* admin.addRecordAsset("000001", { path: `r/${i}`, size: 1, metadata: { path: `r/${i}` } })
        }
        const page = yield* api("GET", `${ASSETS}?page_size=5000`)
        expect(page.json.count).toBe(1001)
        expect(page.json.results).toHaveLength(1000)
        expect(page.json.next).toBe(`${apiUrl}${ASSETS}?page=2&page_size=5000`)
      }))

    it.scoped("hides EMBARGOED data from webdav with 403 even for anonymous callers", () =>
      Effect.gen(function*() {
        const { api } = yield* setup
        yield* api("POST", "/dandisets/?embargo=true", { token: "owner-token", body: { name: "E", metadata: {} } })
        const anon = yield* api("GET", "/webdav/assets/atpath/?dandiset_id=2&version_id=draft")
        expect(anon.status).toBe(403)
        const owner = yield* api("GET", "/webdav/assets/atpath/?dandiset_id=2&version_id=draft", { token: "owner-token" })
        expect(owner.json).toEqual({ count: 0, next: null, previous: null, results: [] })
      }))
  })
}
