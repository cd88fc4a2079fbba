import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { type Harness, hello } from "./TestArchive.js"

const HELLO_ETAG = "8d780cfbcd9622aa77011564e615065f-1"
const HELLO_PART_MD5 = "6f5902ac237024bdd0c176cb93063dc4"
const HELLO_SHA256 = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

const initialize = (contentSize: number, etag = HELLO_ETAG) => ({
  token: "owner-token",
  body: { contentSize, digest: { algorithm: "dandi:dandi-etag", value: etag }, dandiset: "000001" }
})

export const uploadsSuite = (harness: Harness) => {
  const { withUsers } = harness

  const setup = Effect.gen(function*() {
    const archive = yield* withUsers
    yield* archive.api("POST", "/dandisets/", {
      token: "owner-token",
      body: { name: "Uploads", metadata: { description: "d", license: ["spdx:CC0-1.0"] } }
    })
    return archive
  })

  describe(`emulator uploads and object store [${harness.name}]`, () => {
    it.scoped("runs the whole blob upload protocol with the spec's digests", () =>
      Effect.gen(function*() {
        const { api, storage } = yield* setup
        const init = yield* api("POST", "/uploads/initialize/", initialize(12))
        expect(init.status).toBe(200)
        expect(init.json.parts).toHaveLength(1)
        expect(init.json.parts[0].part_number).toBe(1)
        expect(init.json.parts[0].size).toBe(12)
        const partUrl: string = init.json.parts[0].upload_url
        expect(partUrl).toContain("X-Amz-Expires=604800")
        expect(partUrl).toContain("X-Amz-Signature=")
        const uploads = yield* api("GET", "/dandisets/000001/uploads/", { token: "owner-token" })
        expect(uploads.json.results[0].upload_id).toBe(init.json.upload_id)
        const put = yield* storage("PUT", partUrl, { rawBody: hello })
        expect(put.status).toBe(200)
        expect(put.headers.etag).toBe(`"${HELLO_PART_MD5}"`)
        const complete = yield* api("POST", `/uploads/${init.json.upload_id}/complete/`, {
          token: "owner-token",
          body: { parts: [{ part_number: 1, size: 12, etag: HELLO_PART_MD5 }] }
        })
        expect(complete.json.body).toBe(
          `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>${HELLO_PART_MD5}</ETag></Part></CompleteMultipartUpload>`
        )
        const done = yield* storage("POST", complete.json.complete_url, { rawBody: new TextEncoder().encode(complete.json.body) })
        expect(done.status).toBe(200)
        expect(done.text).toContain(`<ETag>"${HELLO_ETAG}"</ETag>`)
        const validated = yield* api("POST", `/uploads/${init.json.upload_id}/validate/`, { token: "owner-token" })
        expect(validated.status).toBe(200)
        expect(validated.json).toEqual({ blob_id: init.json.upload_id, etag: HELLO_ETAG, sha256: null, size: 12 })
        const byEtag = yield* api("POST", "/blobs/digest/", { body: { algorithm: "dandi:dandi-etag", value: HELLO_ETAG } })
        expect(byEtag.json.blob_id).toBe(init.json.upload_id)
        const dedup = yield* api("POST", "/uploads/initialize/", initialize(12))
        expect(dedup.status).toBe(409)
        expect(dedup.json).toBe("Blob already exists.")
        expect(dedup.headers.location).toBe(init.json.upload_id)
      }))

    it.scoped("computes SHA-256 in the background and exposes it through blobs/digest and asset digests", () =>
      Effect.gen(function*() {
        const { api, admin } = yield* setup
        const { blobId } = yield* admin.addBlobAsset("000001", "seed.txt", { _tag: "Bytes", bytes: hello })
        const bySha = yield* api("POST", "/blobs/digest/", { body: { algorithm: "dandi:sha2-256", value: HELLO_SHA256 } })
        expect(bySha.json).toEqual({ blob_id: blobId, etag: HELLO_ETAG, sha256: HELLO_SHA256, size: 12 })
        const unsupported = yield* api("POST", "/blobs/digest/", { body: { algorithm: "md5", value: "x" } })
        expect(unsupported.json).toBe("Unsupported Digest Algorithm. Supported: dandi:dandi-etag, dandi:sha2-256")
        const missing = yield* api("POST", "/blobs/digest/", { body: { algorithm: "dandi:sha2-256", value: "0" } })
        expect(missing.status).toBe(404)
      }))

    it.scoped("plans parts exactly as the spec says", () =>
      Effect.gen(function*() {
        const { api } = yield* setup
        const MiB = 1024 * 1024
        const sizes = (r: any) => r.json.parts.map((p: any) => p.size)
        const hundred = yield* api("POST", "/uploads/initialize/", initialize(100 * MiB, "a-1"))
        expect(sizes(hundred)).toEqual([64 * MiB, 36 * MiB])
        const exact = yield* api("POST", "/uploads/initialize/", initialize(64 * MiB, "b-1"))
        expect(sizes(exact)).toEqual([64 * MiB])
        const huge = yield* api("POST", "/uploads/initialize/", initialize(700 * 1024 * MiB, "c-1"))
        const parts = sizes(huge)
        expect(parts).toHaveLength(10000)
        expect(parts[0]).toBe(75_161_928)
        expect(parts[9999]).toBe(75_158_728)
      }))

    it.scoped("rejects bad initialize bodies with the archive's messages", () =>
      Effect.gen(function*() {
        const { api } = yield* setup
        const zero = yield* api("POST", "/uploads/initialize/", initialize(0))
        expect(zero.json).toEqual({ contentSize: ["Ensure this value is greater than or equal to 1."] })
        const badId = yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          body: { contentSize: 1, digest: { algorithm: "dandi:dandi-etag", value: "x" }, dandiset: "DANDI:000001" }
        })
        expect(badId.json).toEqual({ dandiset: ["A valid Dandiset identifier is required."] })
        const algo = yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          body: { contentSize: 1, digest: { algorithm: "md5", value: "x" }, dandiset: "000001" }
        })
        expect(algo.json).toEqual(["Unsupported Digest Type"])
        const other = yield* api("POST", "/uploads/initialize/", { ...initialize(1), token: "other-token" })
        expect(other.status).toBe(403)
        expect(other.json).toBe("Action not allowed")
        const nowhere = yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          body: { contentSize: 1, digest: { algorithm: "dandi:dandi-etag", value: "x" }, dandiset: "000099" }
        })
        expect(nowhere.status).toBe(404)
      }))

    // views/upload.py: UploadInitializationRequestSerializer nests DigestSerializer (algorithm and
    // value CharFields), so its errors stay nested under "digest" and come with the other fields'
    // errors, before the view's "Unsupported Digest Type"; blob_read_view takes a DigestSerializer
    // as the whole body. contentSize is an IntegerField, which takes an integer's text.
    it.scoped("keeps a nested digest's errors nested, reported with the other fields' errors", () =>
      Effect.gen(function*() {
        const { api } = yield* setup
        const init = (body: Record<string, unknown>) =>
          api("POST", "/uploads/initialize/", { token: "owner-token", body: { contentSize: 12, dandiset: "000001", ...body } })
        expect((yield* init({ digest: {} })).json).toEqual({
          digest: { algorithm: ["This field is required."], value: ["This field is required."] }
        })
        const noValue = yield* init({ digest: { algorithm: "md5" } })
        expect(noValue.status).toBe(400)
        expect(noValue.json).toEqual({ digest: { value: ["This field is required."] } })
        expect((yield* init({ contentSize: 0, digest: { algorithm: "dandi:dandi-etag", value: " " } })).json).toEqual({
          contentSize: ["Ensure this value is greater than or equal to 1."],
          digest: { value: ["This field may not be blank."] }
        })
        expect((yield* init({ digest: "dandi:dandi-etag" })).json).toEqual({
          digest: { non_field_errors: ["Invalid data. Expected a dictionary, but got str."] }
        })
        expect((yield* init({ digest: null })).json).toEqual({ digest: ["This field may not be null."] })
        expect((yield* init({ digest: { algorithm: true, value: HELLO_ETAG } })).json).toEqual({
          digest: { algorithm: ["Not a valid string."] }
        })
        const asText = yield* init({ contentSize: "12", digest: { algorithm: "dandi:dandi-etag", value: HELLO_ETAG } })
        expect(asText.status).toBe(200)
        expect(asText.json.parts.map((p: any) => p.size)).toEqual([12])

        const lookup = (body: unknown) => api("POST", "/blobs/digest/", { body })
        expect((yield* lookup([])).json).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] })
        expect((yield* lookup(null)).json).toEqual({ non_field_errors: ["No data provided"] })
        expect((yield* lookup({ algorithm: "", value: "x" })).json).toEqual({ algorithm: ["This field may not be blank."] })
      }))

    it.scoped("validate reports a missing object, then a size mismatch, keeping the upload", () =>
      Effect.gen(function*() {
        const { api, storage } = yield* setup
        const init = yield* api("POST", "/uploads/initialize/", initialize(13))
        const missing = yield* api("POST", `/uploads/${init.json.upload_id}/validate/`, { token: "owner-token" })
        expect(missing.json).toEqual(["Object does not exist."])
        yield* storage("PUT", init.json.parts[0].upload_url, { rawBody: hello })
        const complete = yield* api("POST", `/uploads/${init.json.upload_id}/complete/`, {
          token: "owner-token",
          body: { parts: [{ part_number: 1, size: 12, etag: HELLO_PART_MD5 }] }
        })
        yield* storage("POST", complete.json.complete_url, { rawBody: new TextEncoder().encode(complete.json.body) })
        const size = yield* api("POST", `/uploads/${init.json.upload_id}/validate/`, { token: "owner-token" })
        expect(size.json).toEqual(["Size 13 does not match actual size 12."])
        const stillThere = yield* api("GET", "/dandisets/000001/uploads/", { token: "owner-token" })
        expect(stillThere.json.count).toBe(1)
        const emptyComplete = yield* api("POST", `/uploads/${init.json.upload_id}/complete/`, {
          token: "owner-token",
          body: { parts: [] }
        })
        expect(emptyComplete.status).toBe(400)
      }))

    it.scoped("verifies presigned URLs: tampering and expiry give S3 XML 403s, Authorization headers 400", () =>
      Effect.gen(function*() {
        const { api, storage } = yield* setup
        const init = yield* api("POST", "/uploads/initialize/", initialize(12))
        const url: string = init.json.parts[0].upload_url
        const tampered = yield* storage("PUT", url.replace("partNumber=1", "partNumber=2"), { rawBody: hello })
        expect(tampered.status).toBe(403)
        expect(tampered.text).toContain("<Code>SignatureDoesNotMatch</Code>")
        const withAuth = yield* storage("PUT", url, { rawBody: hello, token: "owner-token" })
        expect(withAuth.status).toBe(400)
        expect(withAuth.text).toContain("<Code>InvalidArgument</Code>")
        expect(withAuth.text).toContain("Only one auth mechanism allowed")
        expect(withAuth.text).not.toContain("owner-token")
        const expiredAt = url.replace(/X-Amz-Date=\d{8}T\d{6}Z/, "X-Amz-Date=19000101T000000Z")
        const expired = yield* storage("PUT", expiredAt, { rawBody: hello })
        expect(expired.status).toBe(403)
      }))

    it.scoped("serves ranges with 206, unsatisfiable ranges with 416, and honours response-content-disposition", () =>
      Effect.gen(function*() {
        const { admin, api, storage } = yield* setup
        const { assetId } = yield* admin.addBlobAsset("000001", "dir/hello.txt", { _tag: "Bytes", bytes: hello })
        const dl = yield* api("GET", `/assets/${assetId}/download/`)
        expect(dl.status).toBe(302)
        const location = dl.headers.location!
        const full = yield* storage("GET", location)
        expect(full.status).toBe(200)
        expect(full.text).toBe("hello world\n")
        expect(full.headers["content-disposition"]).toBe("attachment; filename=\"hello.txt\"")
        const part = yield* storage("GET", location, { headers: { range: "bytes=6-" } })
        expect(part.status).toBe(206)
        expect(part.text).toBe("world\n")
        expect(part.headers["content-range"]).toBe("bytes 6-11/12")
        const bad = yield* storage("GET", location, { headers: { range: "bytes=12-" } })
        expect(bad.status).toBe(416)
        expect(bad.headers["content-range"]).toBe("bytes */12")
        const head = yield* storage("HEAD", location)
        expect(head.status).toBe(200)
        expect(head.headers["content-length"]).toBe("12")
        expect(head.text).toBe("")
        const inline = yield* api("GET", `/assets/${assetId}/download/?content_disposition=inline`)
        const served = yield* storage("GET", inline.headers.location!)
        expect(served.headers["content-disposition"]).toBe("inline; filename=\"hello.txt\"")
        expect(served.headers["content-type"]).toBe("text/plain")
        const invalid = yield* api("GET", `/assets/${assetId}/download/?content_disposition=x`)
        expect(invalid.json).toEqual({ content_disposition: ["\"x\" is not a valid choice."] })
      }))

    it.scoped("streams generated content by range without materialising it", () =>
      Effect.gen(function*() {
        const { admin, api, storage } = yield* setup
        const { assetId } = yield* admin.addBlobAsset("000001", "big.bin", { _tag: "Generated", size: 70 * 1024 * 1024, seed: 7 })
        const dl = yield* api("GET", `/assets/${assetId}/download/`)
        const tail = yield* storage("GET", dl.headers.location!, { headers: { range: "bytes=-16" } })
        expect(tail.status).toBe(206)
        expect(tail.bytes.length).toBe(16)
        const full = yield* storage("HEAD", dl.headers.location!)
        expect(full.headers["content-length"]).toBe(String(70 * 1024 * 1024))
      }), 60_000)

    it.scoped("expires download URLs after six hours", () =>
      Effect.gen(function*() {
        const { admin, api, storage } = yield* setup
        const { assetId } = yield* admin.addBlobAsset("000001", "a.txt", { _tag: "Bytes", bytes: hello })
        const dl = yield* api("GET", `/assets/${assetId}/download/`)
        expect(dl.headers.location).toContain("X-Amz-Expires=21600")
        yield* TestClock.adjust("5 hours")
        expect((yield* storage("GET", dl.headers.location!)).status).toBe(200)
        yield* TestClock.adjust("2 hours")
        const expired = yield* storage("GET", dl.headers.location!)
        expect(expired.status).toBe(403)
        expect(expired.text).toContain("<Message>Request has expired</Message>")
      }))
  })
}
