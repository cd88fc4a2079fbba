/**
 * The HTTP stack over real sockets, against the loopback emulator (API and object store on two
 * ports of 127.0.0.1, so they are different origins), with both Node client layers.
 */
import { describe, expect, layer } from "@effect/vitest"
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Chunk, Duration, Effect, Layer, Redacted, Schema, Stream } from "effect"
import { ApiClient } from "@dandi-effect/core/ApiClient"
import * as ApiClientModule from "@dandi-effect/core/ApiClient"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import { Paginator } from "@dandi-effect/core/Paginator"
import { StorageClient } from "@dandi-effect/core/StorageClient"
import * as StorageClientModule from "@dandi-effect/core/StorageClient"
import * as PaginatorModule from "@dandi-effect/core/Paginator"
import { LoopbackEmulator } from "@dandi-effect/node/emulator/LoopbackServer"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeHttp from "@dandi-effect/node/NodeHttp"

const token = "0123456789abcdef0123456789abcdef01234567"
const content = new TextEncoder().encode("hello, archive\n")

interface Seeded {
  identifiers: Array<string>
  assetId: string
}
const seeded: Seeded = { identifiers: [], assetId: "" }

const loopback = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "alice", token, approved: true })
      seeded.identifiers = []
      for (let i = 1; i <= 7; i++) {
        const { identifier } = yield* admin.createDandiset({ name: `Dandiset ${i}`, owners: ["alice"] })
        seeded.identifiers.push(identifier)
      }
      const { assetId } = yield* admin.addBlobAsset(seeded.identifiers[0]!, "sub-1/file.txt", { _tag: "Bytes", bytes: content })
      seeded.assetId = assetId
    })
}).pipe(Layer.provide(Hasher.layerPortable))

const sdkOver = (http: Layer.Layer<import("@effect/platform").HttpClient.HttpClient>) =>
  Layer.unwrapEffect(
    Effect.map(LoopbackEmulator, (running) =>
      PaginatorModule.layer.pipe(
        Layer.provideMerge(Layer.merge(ApiClientModule.layer, StorageClientModule.layer)),
        Layer.provideMerge(Layer.mergeAll(
          DandiConfig.layerStatic({
            instance: { name: "loopback", gui: null, api: running.apiUrl },
            retry: { attempts: 2, base: Duration.millis(10) }
          }),
          Credentials.layer(Redacted.make(token))
        ))
      ))
  ).pipe(Layer.provideMerge(loopback), Layer.provideMerge(http))

const Listed = Schema.Struct({ identifier: Schema.String })

const clients = {
  "undici (NodeHttp.layer)": NodeHttp.layer,
  "node:http": NodeHttpClient.layer,
  fetch: FetchHttpClient.layer
} as const

for (const [name, http] of Object.entries(clients)) {
  describe(name, () => {
    layer(sdkOver(http), { excludeTestServices: true })("ApiClient over loopback", (it) => {
      it.effect("follows the slash-less /auth/token 301 keeping the token", () =>
        Effect.gen(function*() {
          const api = yield* ApiClient
          expect(yield* api.json(Schema.String, "GET", "/auth/token")).toBe(token)
        }))

      it.effect("follows the download 302 to the object store without the token", () =>
        Effect.gen(function*() {
          const api = yield* ApiClient
          // The emulated store rejects any request that carries Authorization, as S3 does.
          const response = yield* api.send("GET", `/assets/${seeded.assetId}/download/`)
          expect(response.status).toBe(200)
          expect(new Uint8Array(yield* response.arrayBuffer)).toEqual(content)
        }))

      it.effect("pages through a listing in order, with the server's own next links", () =>
        Effect.gen(function*() {
          const paginator = yield* Paginator
          const listed = yield* Stream.runCollect(
            paginator.pages(Listed, "/dandisets/", { pageSize: 2, concurrency: 2, params: { ordering: "id" } })
          )
          expect(Chunk.toReadonlyArray(listed).map((d) => d.identifier)).toEqual(seeded.identifiers)
        }))

      it.effect("maps Django's HTML 404 for a malformed id to NotFoundError", () =>
        Effect.gen(function*() {
          const api = yield* ApiClient
          const error = yield* Effect.flip(api.json(Listed, "GET", "/dandisets/12345/"))
          expect(error._tag).toBe("NotFoundError")
          expect(error.message).toContain("/dandisets/12345/")
        }))
    })
  })
}

describe("undici: manual redirects", () => {
  layer(sdkOver(NodeHttp.layer), { excludeTestServices: true })("ApiClient over loopback", (it) => {
    it.effect("hands back the 302 and the storage client fetches it without a token", () =>
      Effect.gen(function*() {
        const api = yield* ApiClient
        const redirect = yield* api.send("GET", `/assets/${seeded.assetId}/download/`, { redirect: "manual" })
        expect(redirect.status).toBe(302)
        const location = redirect.headers["location"]!
        const running = yield* LoopbackEmulator
        expect(location.startsWith(running.storageUrl)).toBe(true)
        const storage = yield* StorageClient
        const object = yield* storage.get(location)
        expect(object.status).toBe(200)
        expect(yield* object.bytes).toEqual(content)
      }))
  })
})
