import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as Stub from "./StubEmulator.js"

const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff)

describe("InProcessHttp.layerInProcess", () => {
  const live = InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable))

  it.effect("answers the API info endpoint of an empty archive on the default origin", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${InProcessHttp.defaultApiUrl}/info/`)
      expect(response.status).toBe(200)
      const info = (yield* response.json) as { schema_version: string }
      expect(typeof info.schema_version).toBe("string")
      expect(Number(response.headers["content-length"])).toBeGreaterThan(0)
    }).pipe(Effect.provide(live)))

  it.effect("fails a request to a foreign origin like a DNS failure", () =>
    Effect.gen(function*() {
      const error = yield* HttpClient.get("http://elsewhere.test/api/info/").pipe(Effect.flip)
      expect(error._tag).toBe("RequestError")
      expect(error._tag === "RequestError" && error.reason).toBe("Transport")
      expect(error.message).toContain("elsewhere.test")
    }).pipe(Effect.provide(live)))

  it.effect("accepts custom origins", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get("http://127.0.0.1:9/api/info/")
      expect(response.status).toBe(200)
    }).pipe(
      Effect.provide(
        InProcessHttp.layerInProcess({ apiUrl: "http://127.0.0.1:9/api", storageUrl: "http://127.0.0.1:10" }).pipe(
          Layer.provide(Hasher.layerPortable)
        )
      )
    ))
})

describe("InProcessHttp request and response conversion", () => {
  const echoLayer = Stub.clientLayer(Stub.stub(Stub.echo))
  type Echo = { method: string; url: string; headers: Record<string, string>; body: string }

  it.effect("passes method, absolute URL with query, lower-cased headers and a JSON body", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.post(`${Stub.apiUrl}/dandisets/`).pipe(
        HttpClientRequest.setUrlParam("embargo", "false"),
        HttpClientRequest.setHeader("X-Custom", "Yes"),
        HttpClientRequest.bodyUnsafeJson({ name: "x" })
      )
      const seen = (yield* Effect.flatMap(HttpClient.execute(request), (r) => r.json)) as Echo
      expect(seen.method).toBe("POST")
      expect(seen.url).toBe(`${Stub.apiUrl}/dandisets/?embargo=false`)
      expect(seen.headers["x-custom"]).toBe("Yes")
      expect(seen.headers["content-type"]).toBe("application/json")
      expect(seen.body).toBe("{\"name\":\"x\"}")
      expect(seen.headers["content-length"]).toBe(String(seen.body.length))
    }).pipe(Effect.provide(echoLayer)))

  it.effect("collects a streamed request body and keeps its declared length", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.put(`${Stub.storageUrl}/part`).pipe(
        HttpClientRequest.setBody(
          HttpBody.stream(Stream.make(new TextEncoder().encode("abc"), new TextEncoder().encode("de")), "text/plain", 5)
        )
      )
      const seen = (yield* Effect.flatMap(HttpClient.execute(request), (r) => r.json)) as Echo
      expect(seen.body).toBe("abcde")
      expect(seen.headers["content-length"]).toBe("5")
    }).pipe(Effect.provide(echoLayer)))

  it.effect("serialises raw and form-data bodies", () =>
    Effect.gen(function*() {
      const raw = HttpClientRequest.put(`${Stub.storageUrl}/raw`).pipe(
        HttpClientRequest.setBody(HttpBody.raw(new Blob(["blob-bytes"]), { contentType: "application/octet-stream" }))
      )
      const seenRaw = (yield* Effect.flatMap(HttpClient.execute(raw), (r) => r.json)) as Echo
      expect(seenRaw.body).toBe("blob-bytes")
      expect(seenRaw.headers["content-type"]).toBe("application/octet-stream")

      const form = new FormData()
      form.set("field", "value")
      const multipart = HttpClientRequest.post(`${Stub.storageUrl}/form`).pipe(HttpClientRequest.bodyFormData(form))
      const seenForm = (yield* Effect.flatMap(HttpClient.execute(multipart), (r) => r.json)) as Echo
      expect(seenForm.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
      expect(seenForm.body).toContain("value")
    }).pipe(Effect.provide(echoLayer)))

  it.effect("does not follow redirects", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${Stub.apiUrl}/assets/x/download/`)
      expect(response.status).toBe(302)
      expect(response.headers["location"]).toBe(`${Stub.storageUrl}/blobs/x`)
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub(() => ({
          status: 302,
          headers: { location: `${Stub.storageUrl}/blobs/x` },
          body: { _tag: "Empty" }
        })))
      )
    ))

  it.effect("streams a large response body with its length declared", () =>
    Effect.gen(function*() {
      const size = 3 * 1024 * 1024 + 17
      const response = yield* HttpClient.get(`${Stub.storageUrl}/big`)
      expect(response.headers["content-length"]).toBe(String(size))
      const total = yield* response.stream.pipe(Stream.runFold(0, (n, chunk) => n + chunk.length))
      expect(total).toBe(size)
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub(() => ({
          status: 200,
          headers: { "content-type": "application/octet-stream" },
          body: {
            _tag: "Stream",
            length: 3 * 1024 * 1024 + 17,
            stream: Stream.range(1, 3).pipe(
              Stream.map(() => new Uint8Array(1024 * 1024)),
              Stream.concat(Stream.make(new Uint8Array(17)))
            )
          }
        })))
      )
    ))

  it.effect("answers HEAD with headers only, keeping the GET length", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.head(`${Stub.storageUrl}/blob`)
      expect(response.status).toBe(200)
      expect(response.headers["content-length"]).toBe("10")
      const body = yield* response.arrayBuffer
      expect(body.byteLength).toBe(0)
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub(() => ({
          status: 200,
          headers: { "content-length": "10" },
          body: { _tag: "Empty" }
        })))
      )
    ))

  it.effect("carries header text beyond Latin-1 as its UTF-8 bytes, as a socket would", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${Stub.storageUrl}/blob`)
      expect(response.headers["content-disposition"]).toBe(
        Buffer.from("attachment; filename=\"数据.nwb\"", "utf8").toString("latin1")
      )
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub(() => ({
          status: 200,
          headers: { "content-disposition": "attachment; filename=\"数据.nwb\"" },
          body: { _tag: "Empty" }
        })))
      )
    ))

  it.effect("delivers exact bytes", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${Stub.storageUrl}/bytes`)
      const chunks = yield* Stream.runCollect(response.stream)
      const received = Chunk.toReadonlyArray(chunks).flatMap((c) => Array.from(c))
      expect(received).toEqual(Array.from(bytesOf(1000)))
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub(() => ({ status: 200, headers: {}, body: { _tag: "Bytes", bytes: bytesOf(1000) } })))
      )
    ))
})

describe("InProcessHttp against the demo archive", () => {
  const demo = Effect.gen(function*() {
    const { admin } = yield* ArchiveEmulator
    yield* DemoSeed.apply()(admin)
  })
  const live = InProcessHttp.layerInProcess().pipe(Layer.provide(Hasher.layerPortable))
  const api = InProcessHttp.defaultApiUrl

  it.effect("seeds the archive when the layer is built", () =>
    Effect.gen(function*() {
      const list = (yield* Effect.flatMap(HttpClient.get(`${api}/dandisets/`), (r) => r.json)) as { count: number }
      expect(list.count).toBe(2)
    }).pipe(
      Effect.provide(InProcessHttp.layerInProcess({ seed: DemoSeed.apply() }).pipe(Layer.provide(Hasher.layerPortable)))
    ))

  it.effect("answers a slash-less route with 301 and a relative Location, not followed", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${api}/auth/token`)
      expect(response.status).toBe(301)
      expect(response.headers["location"]).toBe("/api/auth/token/")
    }).pipe(Effect.provide(live)))

  it.effect("redirects downloads to the storage origin, which serves full and ranged bytes", () =>
    Effect.gen(function*() {
      yield* demo
      const page = (yield* Effect.flatMap(
        HttpClient.get(`${api}/dandisets/000001/versions/draft/assets/?path=README.md`),
        (r) => r.json
      )) as { results: ReadonlyArray<{ asset_id: string }> }
      const redirect = yield* HttpClient.get(`${api}/assets/${page.results[0]!.asset_id}/download/`)
      expect(redirect.status).toBe(302)
      const location = redirect.headers["location"]!
      expect(location.startsWith(`${InProcessHttp.defaultStorageUrl}/`)).toBe(true)
      expect(yield* Effect.flatMap(HttpClient.get(location), (r) => r.text)).toBe(DemoSeed.demoReadme)
      const ranged = yield* HttpClient.execute(
        HttpClientRequest.get(location).pipe(HttpClientRequest.setHeader("range", "bytes=0-4"))
      )
      expect(ranged.status).toBe(206)
      expect(yield* ranged.text).toBe(DemoSeed.demoReadme.slice(0, 5))
    }).pipe(Effect.provide(live)))
})
