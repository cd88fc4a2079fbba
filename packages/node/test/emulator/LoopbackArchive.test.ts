/**
 * The real archive emulator over real sockets, seeded with the demo archive: redirects as Django
 * and the object store send them, ranged reads, and the bytes themselves.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as SeedFile from "@dandi-effect/core/testing/SeedFile"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"

const token = "0123456789abcdef0123456789abcdef01234567"

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.zipRight(
      Effect.forEach(SeedFile.tokenUsers([token]), (user) => admin.addUser(user), { discard: true }),
      DemoSeed.apply(["user-1"])(admin)
    )
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

const clients = {
  undici: NodeHttpClient.layerUndici,
  fetch: FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" })))
} as const

interface AssetRow {
  readonly asset_id: string
  readonly path: string
  readonly size: number
}

for (const [name, client] of Object.entries(clients)) {
  layer(Layer.merge(server, client), { excludeTestServices: true })(`loopback archive over ${name}`, (it) => {
    const readmeAsset = Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const page = yield* HttpClient.get(`${apiUrl}/dandisets/000001/versions/draft/assets/?path=README.md`).pipe(
        Effect.flatMap((r) => r.json)
      ) as Effect.Effect<{ results: ReadonlyArray<AssetRow> }, unknown, HttpClient.HttpClient | LoopbackServer.LoopbackEmulator>
      return page.results.find((row) => row.path === "README.md")!
    })

    it.effect("answers a slash-less route with 301 and a relative Location", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const response = yield* HttpClient.get(`${apiUrl}/auth/token?x=1`)
        expect(response.status).toBe(301)
        expect(response.headers["location"]).toBe("/api/auth/token/?x=1")
      }))

    it.effect("authenticates a --token user", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const me = yield* HttpClient.execute(
          HttpClientRequest.get(`${apiUrl}/users/me/`).pipe(HttpClientRequest.setHeader("authorization", `token ${token}`))
        ).pipe(Effect.flatMap((r) => r.json))
        expect(me).toMatchObject({ username: "user-1", status: "APPROVED" })
      }))

    it.effect("redirects a download with 302 to the object-store origin, which serves the bytes", () =>
      Effect.gen(function*() {
        const { apiUrl, storageUrl } = yield* LoopbackServer.LoopbackEmulator
        const asset = yield* readmeAsset
        const redirect = yield* HttpClient.get(`${apiUrl}/assets/${asset.asset_id}/download/`)
        expect(redirect.status).toBe(302)
        const location = redirect.headers["location"]!
        expect(location.startsWith(`${storageUrl}/`)).toBe(true)
        const blob = yield* HttpClient.get(location)
        expect(blob.status).toBe(200)
        expect(blob.headers["content-length"]).toBe(String(DemoSeed.demoReadme.length))
        expect(yield* blob.text).toBe(DemoSeed.demoReadme)
      }))

    it.effect("serves byte ranges with 206 and refuses unsatisfiable ones with 416", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const asset = yield* readmeAsset
        const location = (yield* HttpClient.get(`${apiUrl}/assets/${asset.asset_id}/download/`)).headers["location"]!
        const ranged = yield* HttpClient.execute(
          HttpClientRequest.get(location).pipe(HttpClientRequest.setHeader("range", "bytes=2-11"))
        )
        expect(ranged.status).toBe(206)
        expect(ranged.headers["content-length"]).toBe("10")
        expect(ranged.headers["content-range"]).toBe(`bytes 2-11/${asset.size}`)
        expect(yield* ranged.text).toBe(DemoSeed.demoReadme.slice(2, 12))
        const beyond = yield* HttpClient.execute(
          HttpClientRequest.get(location).pipe(HttpClientRequest.setHeader("range", `bytes=${asset.size + 10}-`))
        )
        expect(beyond.status).toBe(416)
      }))

    it.effect("answers HEAD on a presigned URL with the length and no body", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const asset = yield* readmeAsset
        const location = (yield* HttpClient.get(`${apiUrl}/assets/${asset.asset_id}/download/`)).headers["location"]!
        const head = yield* HttpClient.head(location)
        expect(head.status).toBe(200)
        expect(head.headers["content-length"]).toBe(String(asset.size))
        expect((yield* head.arrayBuffer).byteLength).toBe(0)
      }))

    it.effect("answers an API read preflight from any origin", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const response = yield* HttpClient.execute(
          HttpClientRequest.make("OPTIONS")(`${apiUrl}/dandisets/`).pipe(
            HttpClientRequest.setHeaders({
              origin: "http://localhost:5173",
              "access-control-request-method": "GET",
              "access-control-request-headers": "authorization"
            })
          )
        )
        expect(response.headers["access-control-allow-origin"]).toBe("http://localhost:5173")
        expect(response.headers["access-control-allow-headers"]).toContain("authorization")
      }))

    it.effect("uploads a part to a presigned URL and completes the multipart upload", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const content = new TextEncoder().encode(`uploaded over ${name}\n`)
        const partMd5 = createHash("md5").update(content).digest()
        const etag = `${createHash("md5").update(partMd5).digest("hex")}-1`
        const authed = (request: HttpClientRequest.HttpClientRequest) =>
          HttpClient.execute(request.pipe(HttpClientRequest.setHeader("authorization", `token ${token}`)))
        const init = (yield* authed(
          HttpClientRequest.post(`${apiUrl}/uploads/initialize/`).pipe(HttpClientRequest.bodyUnsafeJson({
            contentSize: content.length,
            digest: { algorithm: "dandi:dandi-etag", value: etag },
            dandiset: "000002"
          }))
        ).pipe(Effect.flatMap((r) => r.json))) as {
          upload_id: string
          parts: ReadonlyArray<{ part_number: number; size: number; upload_url: string }>
        }
        expect(init.parts).toHaveLength(1)
        const put = yield* HttpClient.execute(
          HttpClientRequest.put(init.parts[0]!.upload_url).pipe(HttpClientRequest.bodyUint8Array(content))
        )
        expect(put.status).toBe(200)
        expect(put.headers["etag"]).toBe(`"${partMd5.toString("hex")}"`)
        const complete = (yield* authed(
          HttpClientRequest.post(`${apiUrl}/uploads/${init.upload_id}/complete/`).pipe(HttpClientRequest.bodyUnsafeJson({
            parts: [{ part_number: 1, size: content.length, etag: partMd5.toString("hex") }]
          }))
        ).pipe(Effect.flatMap((r) => r.json))) as { complete_url: string; body: string }
        const completed = yield* HttpClient.execute(
          HttpClientRequest.post(complete.complete_url).pipe(HttpClientRequest.bodyText(complete.body, "application/xml"))
        )
        expect(yield* completed.text).toContain(`<ETag>"${etag}"</ETag>`)
      }))

    it.effect("streams a multi-megabyte generated blob whose sha256 matches its metadata", () =>
      Effect.gen(function*() {
        const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
        const big = DemoSeed.demoBlobs[0]
        const page = (yield* HttpClient.get(
          `${apiUrl}/dandisets/000001/versions/draft/assets/?path=${encodeURIComponent(big.path)}&metadata=1`
        ).pipe(Effect.flatMap((r) => r.json))) as {
          results: ReadonlyArray<AssetRow & { metadata: { digest: Record<string, string> } }>
        }
        const asset = page.results[0]!
        expect(asset.size).toBe(big.size)
        const location = (yield* HttpClient.get(`${apiUrl}/assets/${asset.asset_id}/download/`)).headers["location"]!
        const bytes = new Uint8Array(yield* Effect.flatMap(HttpClient.get(location), (r) => r.arrayBuffer))
        expect(bytes.length).toBe(big.size)
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(asset.metadata.digest["dandi:sha2-256"])
      }))
  })
}
