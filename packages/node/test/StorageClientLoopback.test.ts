/**
 * StorageClient over real sockets against the loopback emulator's object-store origin, which
 * checks presigned signatures and expiry and refuses any request that carries Authorization.
 */
import { describe, expect, layer } from "@effect/vitest"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Chunk, Duration, Effect, Layer, Redacted, Schema, Stream } from "effect"
import { createHash } from "node:crypto"
import { ApiClient } from "@dandi-effect/core/ApiClient"
import * as ApiClientModule from "@dandi-effect/core/ApiClient"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import { StorageClient } from "@dandi-effect/core/StorageClient"
import * as StorageClientModule from "@dandi-effect/core/StorageClient"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import { LoopbackEmulator } from "@dandi-effect/node/emulator/LoopbackServer"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeHttp from "@dandi-effect/node/NodeHttp"

const token = "0123456789abcdef0123456789abcdef01234567"
const content = new TextEncoder().encode("hello, storage\n")
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

const seeded = { dandiset: "", assetId: "" }

const loopback = (faults?: Faults.FaultPlan) =>
  LoopbackServer.layer({
    faults,
    seed: (admin) =>
      Effect.gen(function*() {
        yield* admin.addUser({ username: "alice", token, approved: true })
        const { identifier } = yield* admin.createDandiset({ name: "Storage", owners: ["alice"] })
        seeded.dandiset = identifier
        const { assetId } = yield* admin.addBlobAsset(identifier, "sub-1/file.txt", { _tag: "Bytes", bytes: content })
        seeded.assetId = assetId
      })
  }).pipe(Layer.provide(Hasher.layerPortable))

const sdkOver = (http: Layer.Layer<HttpClient.HttpClient>, faults?: Faults.FaultPlan) =>
  Layer.unwrapEffect(
    Effect.map(LoopbackEmulator, (running) =>
      Layer.merge(ApiClientModule.layer, StorageClientModule.layer).pipe(
        Layer.provideMerge(Layer.mergeAll(
          DandiConfig.layerStatic({
            instance: { name: "loopback", gui: null, api: running.apiUrl },
            retry: { attempts: 2, base: Duration.millis(10) }
          }),
          Credentials.layer(Redacted.make(token))
        ))
      ))
  ).pipe(Layer.provideMerge(loopback(faults)), Layer.provideMerge(http))

/**
 * The presigned URL the archive redirects a download to (asked with Node's own fetch, which
 * shows a manual redirect, unlike a browser's).
 */
const downloadUrl = Effect.gen(function*() {
  const running = yield* LoopbackEmulator
  const redirect = yield* Effect.promise(() =>
    fetch(`${running.apiUrl}/assets/${seeded.assetId}/download/`, { redirect: "manual" })
  )
  expect(redirect.status).toBe(302)
  return redirect.headers.get("location")!
})

const Init = Schema.Struct({
  upload_id: Schema.String,
  parts: Schema.Array(Schema.Struct({ part_number: Schema.Number, size: Schema.Number, upload_url: Schema.String }))
})
const Complete = Schema.Struct({ complete_url: Schema.String, body: Schema.String })

/** A one-part multipart upload of `bytes`, started through the API. */
const initialize = (bytes: Uint8Array) =>
  Effect.flatMap(ApiClient, (api) =>
    api.json(Init, "POST", "/uploads/initialize/", {
      body: { contentSize: bytes.length, digest: { algorithm: "dandi:dandi-etag", value: `${md5(bytes)}-1` }, dandiset: seeded.dandiset }
    }))

const clients = {
  "undici (NodeHttp.layer)": NodeHttp.layer,
  "node:http": NodeHttpClient.layer,
  fetch: FetchHttpClient.layer
} as const

for (const [name, http] of Object.entries(clients)) {
  describe(name, () => {
    layer(sdkOver(http), { excludeTestServices: true })("StorageClient over loopback", (it) => {
      it.effect("GETs a whole object by its presigned URL", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const response = yield* storage.get(yield* downloadUrl)
          expect(response.status).toBe(200)
          expect(response.contentLength).toBe(content.length)
          expect(yield* response.bytes).toEqual(content)
        }))

      it.effect("GETs a range: 206 with Content-Range, streamed", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const response = yield* storage.get(yield* downloadUrl, { range: { start: 7, end: 13 } })
          expect(response.status).toBe(206)
          expect(response.contentRange).toEqual({ start: 7, end: 13, size: content.length })
          const chunks = yield* Stream.runCollect(response.stream)
          const bytes = new Uint8Array(Chunk.toReadonlyArray(chunks).flatMap((c) => Array.from(c)))
          expect(new TextDecoder().decode(bytes)).toBe("storage")
        }))

      it.effect("a range past the end is StorageError InvalidRange (416)", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const error = yield* Effect.flip(storage.get(yield* downloadUrl, { range: { start: 1000 } }))
          expect(error._tag).toBe("StorageError")
          if (error._tag === "StorageError") expect([error.status, error.code]).toEqual([416, "InvalidRange"])
        }))

      it.effect("HEADs an object: size and ETag, no body", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const url = yield* downloadUrl
          const response = yield* storage.head(url)
          expect(response.status).toBe(200)
          expect(response.contentLength).toBe(content.length)
          expect(response.etag).toMatch(/^[0-9a-f]{32}(-\d+)?$/)
          expect(response.etag).toBe((yield* storage.get(url)).etag)
          expect(yield* response.bytes).toEqual(new Uint8Array(0))
        }))

      it.effect("uploads a part and completes the multipart upload; completing twice is MultipartUploadNotFound", () =>
        Effect.gen(function*() {
          const api = yield* ApiClient
          const storage = yield* StorageClient
          const bytes = new TextEncoder().encode(`part bytes for ${name}`)
          const init = yield* initialize(bytes)
          const part = yield* storage.put(init.parts[0]!.upload_url, bytes)
          expect(part.etag).toBe(md5(bytes))
          const complete = yield* api.json(Complete, "POST", `/uploads/${init.upload_id}/complete/`, {
            body: { parts: [{ part_number: 1, size: bytes.length, etag: part.etag }] }
          })
          const done = yield* storage.postXml(complete.complete_url, complete.body)
          expect(done.status).toBe(200)
          expect(done.etag).toMatch(/^[0-9a-f]{32}-1$/)
          const again = yield* Effect.flip(storage.postXml(complete.complete_url, complete.body))
          expect(again._tag).toBe("MultipartUploadNotFound")
        }))

      it.effect("a tampered signature is StorageError SignatureDoesNotMatch, not an expired URL", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const url = (yield* downloadUrl).replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`)
          const error = yield* Effect.flip(storage.get(url))
          expect(error._tag).toBe("StorageError")
          if (error._tag === "StorageError") expect(error.code).toBe("SignatureDoesNotMatch")
        }))

      it.effect("never sends Authorization, though the caller offers one (the store would refuse it)", () =>
        Effect.gen(function*() {
          const storage = yield* StorageClient
          const url = yield* downloadUrl
          // The emulated store refuses a request with Authorization, as S3 does ...
          const raw = yield* HttpClient.HttpClient
          const refused = yield* raw.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("authorization", `token ${token}`)))
          expect(refused.status).toBe(400)
          expect(StorageClientModule.parseS3Error(yield* refused.text)?.code).toBe("InvalidArgument")
          // ... and StorageClient drops it.
          const response = yield* storage.get(url, { headers: { Authorization: `token ${token}` } })
          expect(yield* response.bytes).toEqual(content)
        }))
    })
  })
}

describe("streamed PUT bodies (undici)", () => {
  layer(sdkOver(NodeHttp.layer), { excludeTestServices: true })("StorageClient over loopback", (it) => {
    it.effect("sends a stream of exactly `length` bytes; the store's ETag is their MD5", () =>
      Effect.gen(function*() {
        const storage = yield* StorageClient
        const bytes = new TextEncoder().encode("streamed part, in three chunks")
        const init = yield* initialize(bytes)
        const body = Stream.make(bytes.subarray(0, 5), bytes.subarray(5, 20), bytes.subarray(20))
        const part = yield* storage.put(init.parts[0]!.upload_url, { stream: body, length: bytes.length })
        expect(part.etag).toBe(md5(bytes))
      }))

    it.effect("a failure of the body stream is the PUT's failure, not a network error", () =>
      Effect.gen(function*() {
        const storage = yield* StorageClient
        const bytes = new TextEncoder().encode("never fully read")
        const init = yield* initialize(bytes)
        const body = Stream.concat(Stream.make(bytes.subarray(0, 4)), Stream.fail({ _tag: "DiskGone" } as const))
        const error = yield* Effect.flip(storage.put(init.parts[0]!.upload_url, { stream: body, length: bytes.length }))
        expect(error).toEqual({ _tag: "DiskGone" })
      }))
  })
})

describe("expired presigned URLs (emulator fault)", () => {
  const expire: Faults.FaultPlan = { rules: [{ target: "s3", method: "GET", action: "expire" }] }
  layer(sdkOver(NodeHttp.layer, expire), { excludeTestServices: true })("StorageClient over loopback", (it) => {
    it.effect("an expired URL is PresignedUrlExpired, telling the caller to get a fresh one", () =>
      Effect.gen(function*() {
        const storage = yield* StorageClient
        const error = yield* Effect.flip(storage.get(yield* downloadUrl))
        expect(error._tag).toBe("PresignedUrlExpired")
        expect(error.message).toContain("fresh URL")
        expect(error.message).not.toContain("X-Amz-Signature")
      }))
  })
})
