import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Encoding, TestClock } from "effect"
import * as Hasher from "@dandi-effect/core/Hasher"
import { type Harness, utf8 } from "./TestArchive.js"

const md5 = (bytes: Uint8Array) => {
  const h = Hasher.portable.create("md5")
  h.update(bytes)
  return h.digest()
}

/** Python's `datetime.isoformat(sep)` of a UTC instant: microseconds only when not zero. */
const pythonIsoformat = (ms: number, sep: string): string => {
  const iso = new Date(ms).toISOString()
  const fraction = ms % 1000 === 0 ? "" : `.${iso.slice(20, 23)}000`
  return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${fraction}+00:00`
}

/** The 8-file tree of client-behaviour §8.2. */
const TREE: Record<string, string> = {
  "file1.txt": "This is the first file.\n",
  "file2.txt": "This is the second file.\n",
  "sub1/file3.txt": "This is the third file.\n",
  "sub1/file4.txt": "This is the fourth file.\n",
  "sub1/file5.txt": "This is the fifth file.\n",
  "sub1/subsub/file6.txt": "This is the sixth file.\n",
  "sub2/file7.txt": "This is the seventh file.\n",
  "sub2/file8.txt": "This is the eighth file.\n"
}

export const zarrSuite = (harness: Harness) => {
  const { withUsers } = harness

  const setup = (embargo = false) =>
    Effect.gen(function*() {
      const archive = yield* withUsers
      yield* archive.api("POST", `/dandisets/${embargo ? "?embargo=true" : ""}`, {
        token: "owner-token",
        body: { name: "Zarr", metadata: { description: "d", license: ["spdx:CC0-1.0"] } }
      })
      const created = yield* archive.api("POST", "/zarr/", { token: "owner-token", body: { name: "a.zarr", dandiset: "000001" } })
      return { ...archive, zarrId: created.json.zarr_id as string, created }
    })

  describe(`emulator zarr archives [${harness.name}]`, () => {
    it.scoped("creates zarrs with 200 and rejects duplicate names with the text dandi-cli recognises", () =>
      Effect.gen(function*() {
        const { api, created } = yield* setup()
        expect(created.status).toBe(200)
        expect(created.json).toEqual({
          name: "a.zarr",
          dandiset: "000001",
          zarr_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: "Pending",
          checksum: null,
          file_count: 0,
          size: 0
        })
        const dup = yield* api("POST", "/zarr/", { token: "owner-token", body: { name: "a.zarr", dandiset: "000001" } })
        expect(dup.status).toBe(400)
        expect(dup.json).toEqual({ non_field_errors: ["The fields dandiset, name must make a unique set."] })
        const found = yield* api("GET", "/zarr/?dandiset=000001&name=a.zarr")
        expect(found.json.results[0].zarr_id).toBe(created.json.zarr_id)
        const missing = yield* api("POST", "/zarr/", { token: "owner-token", body: { name: "b", dandiset: "000123" } })
        expect(missing.json).toEqual({ dandiset: ["Invalid pk \"123\" - object does not exist."] })
        const other = yield* api("POST", "/zarr/", { token: "other-token", body: { name: "b", dandiset: "000001" } })
        expect(other.status).toBe(403)
        // DandisetIdentifierField: a string is exactly six digits
        // (zarr/tests/test_zarr.py::test_zarr_rest_dandiset_malformed)
        const invalid = { dandiset: ["A valid Dandiset identifier is required."] }
        for (const dandiset of ["1", "2", "000001asd"]) {
          const short = yield* api("POST", "/zarr/", { token: "owner-token", body: { name: "c", dandiset } })
          expect(short.status).toBe(400)
          expect(short.json).toEqual(invalid)
        }
        const listedShort = yield* api("GET", "/zarr/?dandiset=1")
        expect(listedShort.status).toBe(400)
        expect(listedShort.json).toEqual(invalid)
      }))

    it.scoped("uploads entries through presigned URLs, ingests in the background and matches the spec checksum", () =>
      Effect.gen(function*() {
        const { api, storage, zarrId } = yield* setup()
        const entries = Object.entries(TREE)
        const urls = yield* api("POST", `/zarr/${zarrId}/files/`, {
          token: "owner-token",
          body: entries.map(([path, text]) => ({ path, base64md5: Encoding.encodeBase64(md5(utf8(text))) }))
        })
        expect(urls.status).toBe(200)
        expect(urls.json).toHaveLength(8)
        for (const url of urls.json as Array<string>) {
          const signed = new URL(url).searchParams.get("X-Amz-SignedHeaders")!.split(";")
          expect(signed).toContain("content-md5")
          expect(signed).not.toContain("x-amz-tagging")
        }
        for (const [i, [, text]] of entries.entries()) {
          const put = yield* storage("PUT", urls.json[i], {
            rawBody: utf8(text),
            headers: { "content-md5": Encoding.encodeBase64(md5(utf8(text))) }
          })
          expect(put.status).toBe(200)
          expect(put.headers.etag).toBe(`"${Hasher.toHex(md5(utf8(text)))}"`)
        }
        const fin = yield* api("POST", `/zarr/${zarrId}/finalize/`, { token: "owner-token" })
        expect(fin.status).toBe(204)
        const state = (yield* api("GET", `/zarr/${zarrId}/`)).json
        expect(state.status).toBe("Uploaded")
        const refused = yield* api("POST", `/zarr/${zarrId}/files/`, { token: "owner-token", body: [] })
        expect(refused.json).toBe("Zarr archive is currently ingesting or has already ingested")
        yield* TestClock.adjust("260 millis")
        expect((yield* api("GET", `/zarr/${zarrId}/`)).json.status).toBe("Ingesting")
        yield* TestClock.adjust("250 millis")
        const done = (yield* api("GET", `/zarr/${zarrId}/`)).json
        expect(done).toMatchObject({
          status: "Complete",
          checksum: "25627e0fc7c609d10100d020f7782a25-8--197",
          file_count: 8,
          size: 197
        })
      }))

    it.scoped("lists files with the after cursor, prefix semantics and redirects", () =>
      Effect.gen(function*() {
        const { admin, api, apiUrl } = yield* withUsers
        yield* api("POST", "/dandisets/", { token: "owner-token", body: { name: "Z", metadata: {} } })
        const uploadedAt = yield* Clock.currentTimeMillis
        const { zarrId } = yield* admin.addZarrAsset(
          "000001",
          "tree.zarr",
          Object.fromEntries(Object.entries(TREE).map(([k, v]) => [k, { _tag: "Bytes", bytes: utf8(v) } as const]))
        )
        const zarr = (yield* api("GET", `/zarr/${zarrId}/`)).json
        expect(zarr.checksum).toBe("25627e0fc7c609d10100d020f7782a25-8--197")
        const slashless = yield* api("GET", `/zarr/${zarrId}/files?prefix=sub1`)
        expect(slashless.status).toBe(301)
        const page = yield* api("GET", `/zarr/${zarrId}/files/?prefix=sub1/&limit=2`)
        expect(page.json.results.map((r: any) => r.Key)).toEqual(["sub1/file3.txt", "sub1/file4.txt"])
        expect(page.json.results[0]).toEqual({
          Key: "sub1/file3.txt",
          LastModified: pythonIsoformat(uploadedAt, " "),
          ETag: "7351dc767bfad322ddce50401badc359",
          Size: 24
        })
        expect(page.json.next).toBe(`${apiUrl}/zarr/${zarrId}/files/?after=sub1%2Ffile4.txt&limit=2&prefix=sub1%2F`)
        const rest = yield* api("GET", page.json.next)
        expect(rest.json.results.map((r: any) => r.Key)).toEqual(["sub1/file5.txt", "sub1/subsub/file6.txt"])
        expect(rest.json.next).toBeNull()
        const past = yield* api("GET", `/zarr/${zarrId}/files/?prefix=sub1/&after=sub1/subsub/file6.txt`)
        expect(past.json).toEqual({ next: null, results: [] })
        const loose = yield* api("GET", `/zarr/${zarrId}/files/?prefix=file`)
        expect(loose.json.results.map((r: any) => r.Key)).toEqual(["file1.txt", "file2.txt"])
        // zarr/views files(): prefix and after lose their leading slashes; limit is an
        // IntegerField(min_value=0, max_value=1000) (its use: test_zarr.py::test_zarr_file_list)
        const slashed = yield* api("GET", `/zarr/${zarrId}/files/?prefix=/sub1/&after=/sub1/file4.txt`)
        expect(slashed.json.results.map((r: any) => r.Key)).toEqual(["sub1/file5.txt", "sub1/subsub/file6.txt"])
        const negative = yield* api("GET", `/zarr/${zarrId}/files/?limit=-1`)
        expect(negative.status).toBe(400)
        expect(negative.json).toEqual({ limit: ["Ensure this value is greater than or equal to 0."] })
        const tooMany = yield* api("GET", `/zarr/${zarrId}/files/?limit=1001`)
        expect(tooMany.json).toEqual({ limit: ["Ensure this value is less than or equal to 1000."] })
        const notANumber = yield* api("GET", `/zarr/${zarrId}/files/?limit=ten`)
        expect(notANumber.json).toEqual({ limit: ["A valid integer is required."] })
        const dotdot = yield* api("GET", `/zarr/${zarrId}/files/?prefix=a/../b`)
        expect(dotdot.json).toEqual({ prefix: ["Zarr path cannot contain \"..\" components."] })
        const dl = yield* api("GET", `/zarr/${zarrId}/files/?prefix=file1.txt&download=true`)
        expect(dl.status).toBe(302)
        const head = yield* api("HEAD", `/zarr/${zarrId}/files/?prefix=file1.txt`)
        expect(head.status).toBe(302)
      }))

    it.scoped("deletes all-or-nothing and resets the zarr to Pending", () =>
      Effect.gen(function*() {
        const { admin, api } = yield* withUsers
        yield* api("POST", "/dandisets/", { token: "owner-token", body: { name: "Z", metadata: {} } })
        const { zarrId } = yield* admin.addZarrAsset("000001", "t.zarr", {
          a: { _tag: "Bytes", bytes: utf8("a") },
          b: { _tag: "Bytes", bytes: utf8("b") }
        })
        const partial = yield* api("DELETE", `/zarr/${zarrId}/files/`, {
          token: "owner-token",
          body: [{ path: "a" }, { path: "nope" }]
        })
        expect(partial.status).toBe(400)
        expect(partial.json).toEqual([`File zarr/${zarrId}/nope does not exist.`])
        const stillThere = yield* api("GET", `/zarr/${zarrId}/files/`)
        expect(stillThere.json.results).toHaveLength(2)
        const bad = yield* api("DELETE", `/zarr/${zarrId}/files/`, { token: "owner-token", body: [{}, { path: "../x" }] })
        expect(bad.json).toEqual([{ path: ["This field is required."] }, { path: ["Zarr path cannot contain \"..\" components."] }])
        const ok = yield* api("DELETE", `/zarr/${zarrId}/files/`, { token: "owner-token", body: [{ path: "a" }] })
        expect(ok.status).toBe(204)
        expect((yield* api("GET", `/zarr/${zarrId}/`)).json).toMatchObject({ status: "Pending", checksum: null, file_count: 0 })
        yield* api("POST", `/zarr/${zarrId}/finalize/`, { token: "owner-token" })
        yield* admin.runBackgroundJobs
        expect((yield* api("GET", `/zarr/${zarrId}/`)).json).toMatchObject({ status: "Complete", file_count: 1, size: 1 })
        const again = yield* api("POST", `/zarr/${zarrId}/finalize/`, { token: "owner-token" })
        expect(again.json).toBe("Zarr archive is currently ingesting or has already ingested")
      }))

    it.scoped("signs x-amz-tagging for embargoed dandisets, hides their zarrs, and checks Content-MD5", () =>
      Effect.gen(function*() {
        const { api, storage, zarrId } = yield* setup(true)
        const hidden = yield* api("GET", `/zarr/${zarrId}/`)
        expect(hidden.status).toBe(404)
        expect((yield* api("GET", "/zarr/")).json.count).toBe(0)
        const urls = yield* api("POST", `/zarr/${zarrId}/files/`, {
          token: "owner-token",
          body: [{ path: "0", base64md5: Encoding.encodeBase64(md5(utf8("x"))) }]
        })
        const url: string = urls.json[0]
        expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")!.split(";")).toContain("x-amz-tagging")
        const noTag = yield* storage("PUT", url, { rawBody: utf8("x"), headers: { "content-md5": Encoding.encodeBase64(md5(utf8("x"))) } })
        expect(noTag.status).toBe(403)
        const wrongBody = yield* storage("PUT", url, {
          rawBody: utf8("y"),
          headers: { "content-md5": Encoding.encodeBase64(md5(utf8("x"))), "x-amz-tagging": "embargoed=true" }
        })
        expect(wrongBody.status).toBe(400)
        expect(wrongBody.text).toContain("<Code>BadDigest</Code>")
        const ok = yield* storage("PUT", url, {
          rawBody: utf8("x"),
          headers: { "content-md5": Encoding.encodeBase64(md5(utf8("x"))), "x-amz-tagging": "embargoed=true" }
        })
        expect(ok.status).toBe(200)
      }))

    it.scoped("checksums an empty zarr as the spec's empty checksum", () =>
      Effect.gen(function*() {
        const { admin, api, zarrId } = yield* setup()
        yield* api("POST", `/zarr/${zarrId}/finalize/`, { token: "owner-token" })
        yield* admin.runBackgroundJobs
        expect((yield* api("GET", `/zarr/${zarrId}/`)).json.checksum).toBe("481a2f77ab786a0f45aafd5db0971caa-0--0")
      }))

    it.scoped("keeps a zarr asset Pending until ingestion and sizes it from the zarr", () =>
      Effect.gen(function*() {
        const { admin, api, storage, zarrId } = yield* setup()
        const created = yield* api("POST", "/dandisets/000001/versions/draft/assets/", {
          token: "owner-token",
          body: { zarr_id: zarrId, metadata: { path: "a.zarr", encodingFormat: "text/plain" } }
        })
        expect(created.status).toBe(200)
        expect(created.json.zarr).toBe(zarrId)
        expect(created.json.metadata.encodingFormat).toBe("application/x-zarr")
        expect(created.json.metadata.digest).toEqual({ "dandi:dandi-zarr-checksum": null })
        const [url] = (yield* api("POST", `/zarr/${zarrId}/files/`, {
          token: "owner-token",
          body: [{ path: "0/0", base64md5: Encoding.encodeBase64(md5(utf8("abc"))) }]
        })).json
        yield* storage("PUT", url, { rawBody: utf8("abc"), headers: { "content-md5": Encoding.encodeBase64(md5(utf8("abc"))) } })
        yield* api("POST", `/zarr/${zarrId}/finalize/`, { token: "owner-token" })
        yield* admin.runBackgroundJobs
        const listed = yield* api("GET", "/dandisets/000001/versions/draft/assets/?metadata=1")
        const asset = listed.json.results[0]
        expect(asset.size).toBe(3)
        expect(asset.metadata.contentSize).toBe(3)
        expect(asset.metadata.digest["dandi:dandi-zarr-checksum"]).toMatch(/^[0-9a-f]{32}-1--3$/)
        const validation = yield* api("GET", `/dandisets/000001/versions/draft/assets/${asset.asset_id}/validation/`)
        expect(validation.json.status).toBe("Valid")
        const other = yield* api("POST", "/dandisets/", { token: "owner-token", body: { name: "Other", metadata: {} } })
        const foreign = yield* api("POST", `/dandisets/${other.json.identifier}/versions/draft/assets/`, {
          token: "owner-token",
          body: { zarr_id: zarrId, metadata: { path: "a.zarr" } }
        })
        expect(foreign.json).toBe("The zarr archive belongs to a different dandiset")
      }))
  })
}
