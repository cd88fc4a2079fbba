/**
 * DandiApi.layer composes the design card's services: built alone on a platform (HttpClient,
 * TokenStore, Hasher) it provides the Uploader and the Downloader beside the facade, on the same
 * ApiClient and configuration — a blob goes up and comes back verified with nothing else added.
 */
import * as ByteSink from "@dandi-effect/core/ByteSink"
import * as ByteSource from "@dandi-effect/core/ByteSource"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import * as Uploader from "@dandi-effect/core/Uploader"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { harness, seedDandiset, sentTo } from "./support/ApiHarness.js"

describe("DandiApi.layer", () => {
  it.effect("provides the Uploader and the Downloader: a blob goes up and comes back verified", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Round trip")
      const content = new TextEncoder().encode("bytes that go up and come back\n")
      const uploader = yield* Uploader.Uploader
      const { asset, etag } = yield* uploader.uploadBlob({
        dandisetId: id,
        source: ByteSource.fromBytes("trip.txt", content),
        path: "sub-1/trip.txt"
      })

      // The facade sees what the Uploader created: both sit on one ApiClient and one archive.
      const api = yield* DandiApi
      const found = yield* (yield* api.getDandiset(id, "draft")).getAssetByPath("sub-1/trip.txt")
      expect(found.identifier).toBe(asset.identifier)

      const downloader = yield* Downloader.Downloader
      const memory = yield* ByteSink.memory("trip.txt")
      const completed = yield* Downloader.completion(
        downloader.toSink(Downloader.fromAssetData(found, yield* found.getRawMetadata()), memory.sink)
      )
      expect(completed.verified).toContain("dandi-etag")
      expect(Option.map(yield* memory.committed, (bytes) => new TextDecoder().decode(bytes))).toEqual(
        Option.some("bytes that go up and come back\n")
      )
      expect(yield* found.getRawDigest("dandi:dandi-etag")).toBe(etag)
      // The download went through the API route, as the facade's records name it.
      expect((yield* sentTo(`/assets/${asset.identifier}/download/`)).length).toBeGreaterThan(0)
    }).pipe(Effect.provide(harness({ token: "owner-token" }))))
})
