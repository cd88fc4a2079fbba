/**
 * Ranged reads when the client cannot see `Content-Range`: a browser reads only the response
 * headers storage exposes, and the archive's bucket exposes nothing but ETag. The storage
 * answers here lose that header on the way to the Downloader, as in a page; a 206 is then used
 * only when its length is exactly what was asked for.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import * as Hasher from "@dandi-effect/core/Hasher"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Stream } from "effect"
import { seedBlob } from "./DownloadHarness.js"

const size = 300_000
const isStorage = (url: string) => url.startsWith(InProcessHttp.defaultStorageUrl)

/** What a page sees of storage: no Content-Range; `shift` moves the range the server is asked for. */
const asInAPage = (shift: number) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (inner) =>
      inner.pipe(
        HttpClient.mapRequest((request) => {
          const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers["range"] ?? "")
          return range === null || !isStorage(request.url) ? request : HttpClientRequest.setHeader(
            request,
            "range",
            `bytes=${Number(range[1]) + shift}-${range[2]}`
          )
        }),
        HttpClient.transformResponse(Effect.map((response): HttpClientResponse.HttpClientResponse =>
          isStorage(response.request.url)
            ? Object.create(response, { headers: { value: Headers.remove(response.headers, "content-range") } })
            : response
        ))
      ))
  )

const world = (shift: number) =>
  Downloader.layer.pipe(
    Layer.provideMerge(DandiApi.layer({
      instance: { name: "dandi", gui: null, api: InProcessHttp.defaultApiUrl },
      discover: false,
      retry: { base: Duration.millis(1), cap: Duration.millis(5), jitter: 0 }
    })),
    Layer.provideMerge(TokenStore.layerMemory),
    Layer.provideMerge(asInAPage(shift)),
    Layer.provideMerge(InProcessHttp.layerInProcess({ reportFault: () => Effect.void })),
    Layer.provideMerge(Hasher.layerPortable),
    Layer.orDie
  )

const readRange = (start: number, end: number) =>
  Effect.gen(function*() {
    const blob = yield* seedBlob("data.bin", { _tag: "Generated", size, seed: 9 })
    const downloader = yield* Downloader.Downloader
    const chunks = yield* Stream.runCollect(downloader.bytes(blob, { start, end }))
    const out = new Uint8Array(end - start)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out.subarray(0, at)
  })

describe("a 206 without a visible Content-Range", () => {
  it.live("is used when its length is the length asked for", () =>
    Effect.gen(function*() {
      expect(yield* readRange(1000, 5000)).toEqual(deterministicBytes(9, 1000, 4000))
    }).pipe(Effect.provide(world(0))))

  it.live("of any other length is refused before a byte is used", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readRange(1000, 5000))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.message).toContain("no usable Content-Range")
    }).pipe(Effect.provide(world(1))))
})
