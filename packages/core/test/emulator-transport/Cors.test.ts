import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Stub from "./StubEmulator.js"

const preflight = (url: string, origin: string, method: string, headers?: string) =>
  HttpClient.execute(
    HttpClientRequest.make("OPTIONS")(url).pipe(
      HttpClientRequest.setHeaders({
        origin,
        "access-control-request-method": method,
        ...(headers === undefined ? {} : { "access-control-request-headers": headers })
      })
    )
  )

/** An actual (non-preflight) request from `origin`. */
const fromOrigin = (method: "GET" | "POST" | "PUT", url: string, origin: string) =>
  HttpClient.execute(HttpClientRequest.make(method)(url).pipe(HttpClientRequest.setHeader("origin", origin)))

const client = Stub.clientLayer(Stub.stub((request) => Stub.json(200, { method: request.method })))

describe("CORS at the front door", () => {
  it.effect("API: a read preflight from any origin allows Authorization, Content-Type and Range", () =>
    Effect.gen(function*() {
      const response = yield* preflight(`${Stub.apiUrl}/dandisets/`, "https://anyone.example", "GET", "authorization")
      expect(response.status).toBe(200)
      expect(response.headers["access-control-allow-origin"]).toBe("https://anyone.example")
      const allowed = response.headers["access-control-allow-headers"]!.split(", ")
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "range"]))
    }).pipe(Effect.provide(client)))

  it.effect("API: a write preflight from a foreign origin passes, as the archive's (its method is OPTIONS)", () =>
    Effect.gen(function*() {
      const response = yield* preflight(`${Stub.apiUrl}/dandisets/`, "https://anyone.example", "POST", "content-type")
      expect(response.headers["access-control-allow-origin"]).toBe("https://anyone.example")
      expect(response.headers["access-control-allow-methods"]).toContain("POST")
    }).pipe(Effect.provide(client)))

  it.effect("API: a write from a foreign origin is carried out, but its answer has no Access-Control headers", () =>
    Effect.gen(function*() {
      const response = yield* fromOrigin("POST", `${Stub.apiUrl}/dandisets/`, "https://anyone.example")
      expect(yield* response.json).toEqual({ method: "POST" })
      expect(response.headers["access-control-allow-origin"]).toBeUndefined()
    }).pipe(Effect.provide(client)))

  it.effect("API: writes are allowed from the web app's origin by default", () =>
    Effect.gen(function*() {
      const response = yield* fromOrigin("POST", `${Stub.apiUrl}/dandisets/`, Stub.webUrl)
      expect(response.headers["access-control-allow-origin"]).toBe(Stub.webUrl)
    }).pipe(Effect.provide(client)))

  it.effect("API: writes are allowed from configured origins", () =>
    Effect.gen(function*() {
      const response = yield* fromOrigin("PUT", `${Stub.apiUrl}/dandisets/`, "http://localhost:5173")
      expect(response.headers["access-control-allow-origin"]).toBe("http://localhost:5173")
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub((request) => Stub.json(200, { method: request.method })), {
          allowedOrigins: ["http://localhost:5173"]
        })
      )
    ))

  it.effect("API: an actual cross-origin read exposes the headers clients need", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.execute(
        HttpClientRequest.get(`${Stub.apiUrl}/info/`).pipe(HttpClientRequest.setHeader("origin", "https://a.example"))
      )
      expect(response.headers["access-control-allow-origin"]).toBe("https://a.example")
      const exposed = response.headers["access-control-expose-headers"]!.split(", ")
      expect(exposed).toEqual(expect.arrayContaining(["content-length", "content-range", "etag", "location"]))
    }).pipe(Effect.provide(client)))

  it.effect("storage answers as the archive's bucket rule: any origin, GET/HEAD/PUT/POST/DELETE, any header, only ETag exposed", () =>
    Effect.gen(function*() {
      const read = yield* HttpClient.execute(
        HttpClientRequest.get(`${Stub.storageUrl}/blobs/x`).pipe(HttpClientRequest.setHeader("origin", "https://a.example"))
      )
      expect(read.headers["access-control-allow-origin"]).toBe("*")
      // Content-Range is not exposed: a browser reading a 206 from S3 cannot see it.
      expect(read.headers["access-control-expose-headers"]).toBe("etag")
      const upload = yield* preflight(`${Stub.storageUrl}/blobs/x`, "https://a.example", "PUT", "content-type, content-md5")
      expect(upload.status).toBe(200)
      expect(upload.headers["access-control-allow-origin"]).toBe("*")
      expect(upload.headers["access-control-allow-methods"]!.split(", ")).toEqual(
        expect.arrayContaining(["GET", "HEAD", "PUT", "POST"])
      )
      expect(upload.headers["access-control-allow-headers"]).toBe("content-type, content-md5")
      expect(upload.headers["access-control-expose-headers"]).toBe("etag")
      const patch = yield* preflight(`${Stub.storageUrl}/blobs/x`, "https://a.example", "PATCH")
      expect(patch.status).toBe(403)
      expect(yield* patch.text).toContain("<Code>AccessForbidden</Code>")
    }).pipe(Effect.provide(client)))

  it.effect("API: writes are allowed from origins matching a configured pattern", () =>
    Effect.gen(function*() {
      const allowed = yield* fromOrigin("POST", `${Stub.apiUrl}/dandisets/`, "http://localhost:41234")
      expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:41234")
      const other = yield* fromOrigin("POST", `${Stub.apiUrl}/dandisets/`, "http://localhost.evil.example")
      expect(other.headers["access-control-allow-origin"]).toBeUndefined()
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub((request) => Stub.json(200, { method: request.method })), {
          allowedOrigins: [/^http:\/\/localhost:\d+$/]
        })
      )
    ))

  it.effect("storage whose bucket has no rule for the origin: preflights answer 403, answers carry no CORS headers", () =>
    Effect.gen(function*() {
      const upload = yield* preflight(`${Stub.storageUrl}/blobs/x`, "https://a.example", "PUT", "content-type")
      expect(upload.status).toBe(403)
      expect(upload.headers["access-control-allow-origin"]).toBeUndefined()
      const read = yield* fromOrigin("GET", `${Stub.storageUrl}/blobs/x`, "https://a.example")
      expect(read.headers["access-control-allow-origin"]).toBeUndefined()
      const listed = yield* fromOrigin("GET", `${Stub.storageUrl}/blobs/x`, "https://listed.example")
      expect(listed.headers["access-control-allow-origin"]).toBe("*")
    }).pipe(
      Effect.provide(
        Stub.clientLayer(Stub.stub((request) => Stub.json(200, { method: request.method })), {
          storageAllowedOrigins: ["https://listed.example"]
        })
      )
    ))

  it.effect("a plain OPTIONS (no preflight headers) still reaches the archive", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.execute(HttpClientRequest.make("OPTIONS")(`${Stub.apiUrl}/dandisets/`))
      expect(yield* response.json).toEqual({ method: "OPTIONS" })
    }).pipe(Effect.provide(client)))
})
