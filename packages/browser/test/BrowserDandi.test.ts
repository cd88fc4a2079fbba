/**
 * BrowserDandi.layer under Node (Node 20 has fetch) against the loopback emulator: it builds,
 * lists and authenticates, and its requests carry neither trace headers (the archive's CORS
 * preflight would refuse them) nor a User-Agent of ours. Requests are observed through
 * FetchHttpClient's `Fetch` tag, which the fetch client looks up on every request.
 */
import * as BlobByteSource from "@dandi-effect/browser/BlobByteSource"
import * as BrowserDandi from "@dandi-effect/browser/BrowserDandi"
import * as ByteSink from "@dandi-effect/core/ByteSink"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import * as Uploader from "@dandi-effect/core/Uploader"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { FetchHttpClient } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Logger, Option, Stream } from "effect"

const ownerKey = "0123456789abcdef0123456789abcdef01234567"

const server = LoopbackServer.layer({
  seed: (admin) =>
    Effect.gen(function*() {
      yield* admin.addUser({ username: "owner", token: ownerKey })
      yield* admin.createDandiset({ identifier: "000001", name: "Public study", owners: ["owner"] })
      yield* admin.createDandiset({ identifier: "000002", name: "Embargoed study", owners: ["owner"], embargoed: true })
    })
}).pipe(Layer.provide(Hasher.layerPortable), Layer.orDie)

/** globalThis.fetch, recording the headers of every request. */
const recordingFetch = () => {
  const sent: Array<Readonly<Record<string, string>>> = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent.push(Object.fromEntries(new Headers(init?.headers).entries()))
    return globalThis.fetch(input, init)
  }
  return { sent, fetch }
}

const listIdentifiers = (options: { readonly embargoed?: boolean } = {}) =>
  Effect.flatMap(DandiApi.DandiApi, (api) =>
    Effect.map(Stream.runCollect(api.getDandisets(options)), (all) => Chunk.toReadonlyArray(all).map((d) => d.identifier)))

layer(server, { excludeTestServices: true })("BrowserDandi.layer (fetch, under Node)", (it) => {
  it.effect("builds and lists dandisets, sending no trace headers and no User-Agent", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const { fetch, sent } = recordingFetch()
      const listed = yield* listIdentifiers().pipe(
        // A span around the work: with propagation on, fetch would carry traceparent and b3.
        Effect.withSpan("browser-test"),
        Effect.provide(BrowserDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStoreModule.layerMemory })),
        Effect.provideService(FetchHttpClient.Fetch, fetch)
      )
      expect(listed).toEqual(["000001"])
      expect(sent.length).toBeGreaterThan(0)
      for (const headers of sent) {
        expect(Object.keys(headers)).not.toContain("traceparent")
        expect(Object.keys(headers)).not.toContain("b3")
        expect(Object.keys(headers)).not.toContain("user-agent")
      }
    }))

  it.effect("a token is checked while building and then sent: the owner sees the embargoed dandiset", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const listed = yield* listIdentifiers({ embargoed: true }).pipe(
        Effect.provide(
          BrowserDandi.layer({ instance: apiUrl, discover: false, token: ownerKey, tokenStore: TokenStoreModule.layerMemory })
        )
      )
      expect(listed).toEqual(["000001", "000002"])
    }))

  it.effect("builds with the default token store where localStorage is missing (memory, one warning)", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const logged: Array<string> = []
      const listed = yield* listIdentifiers().pipe(
        Effect.zipLeft(Effect.flatMap(DandiApi.DandiApi, (api) => api.dandiAuthenticate({ required: false }))),
        Effect.provide(BrowserDandi.layer({ instance: apiUrl, discover: false, authenticate: "env-or-store" })),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logged.push(String(message)))))
      )
      expect(listed).toEqual(["000001"])
      expect(logged.filter((line) => line.includes("localStorage"))).toHaveLength(1)
    }))

  it.effect("provides the Uploader and the Downloader: a Blob goes up through fetch and comes back verified", () =>
    Effect.gen(function*() {
      const { apiUrl } = yield* LoopbackServer.LoopbackEmulator
      const text = "a Blob picked in a browser\n"
      const roundTrip = Effect.gen(function*() {
        const uploader = yield* Uploader.Uploader
        const { asset } = yield* uploader.uploadBlob({
          dandisetId: "000001",
          source: BlobByteSource.fromBlob(new Blob([text]), "picked.txt"),
          path: "picked.txt"
        })
        const downloader = yield* Downloader.Downloader
        const memory = yield* ByteSink.memory("picked.txt")
        const completed = yield* Downloader.completion(
          downloader.toSink(Downloader.fromAssetData(asset, yield* asset.getRawMetadata()), memory.sink)
        )
        return { completed, committed: yield* memory.committed, asset }
      })
      const { asset, committed, completed } = yield* roundTrip.pipe(
        Effect.provide(BrowserDandi.layer({ instance: apiUrl, discover: false, token: ownerKey, tokenStore: TokenStoreModule.layerMemory }))
      )
      expect(asset.path).toBe("picked.txt")
      expect(completed.verified).toContain("dandi-etag")
      expect(Option.map(committed, (bytes) => new TextDecoder().decode(bytes))).toEqual(Option.some(text))
    }))
})
