/**
 * A large zarr lists and checksums in time linear in its entries and in memory bounded by its
 * width: the listing is consumed page by page (never collected) and folded into a streaming
 * checksum that keeps only the directories open along the current key. Measured on the same
 * machine in the same run: 10k entries against 100k.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import type { EmulatorContent } from "@dandi-effect/core/testing/EmulatorAdmin"
import * as ZarrChecksum from "@dandi-effect/core/ZarrChecksum"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Ref, Stream } from "effect"
import { admin, harness, RequestLog, resetLog, seedDandiset, sentTo } from "./support/ApiHarness.js"

const entriesOf = (n: number): Record<string, EmulatorContent> => {
  const entries: Record<string, EmulatorContent> = {}
  // OME-Zarr-like: 4 arrays, chunks two levels deep, 50 per leaf directory.
  for (let i = 0; i < n; i++) entries[`${i % 4}/c/${Math.floor(i / 200)}/${Math.floor(i / 4) % 50}`] = { _tag: "Generated", size: 8, seed: i }
  return entries
}

describe("a zarr of 100,000 entries", () => {
  layer(harness(), { excludeTestServices: true })("in-process emulator", (it) => {
    it.effect("lists and checksums page by page, 10× the entries taking far less than 100× the time", () =>
      Effect.gen(function*() {
        const archive = yield* admin
        const identifier = yield* seedDandiset("Scale")
        const api = yield* DandiApi.DandiApi
        const hasher = Hasher.portable
        const log = yield* RequestLog

        const measure = (n: number) =>
          Effect.gen(function*() {
            const { zarrId } = yield* archive.addZarrAsset(identifier, `n${n}.zarr`, entriesOf(n))
            const expected = (yield* Stream.runCollect(api.listZarrs(identifier)).pipe(
              Effect.map((zarrs) => [...zarrs].find((z) => z.zarr_id === zarrId)!.checksum)
            ))
            yield* resetLog
            const started = performance.now()
            const checksum = new ZarrChecksum.SortedStream(hasher)
            let largestPage = 0
            let pageEntries = 0
            let previousPages = 0
            yield* api.listZarrFiles(zarrId).pipe(
              Stream.runForEach((entry) =>
                Effect.gen(function*() {
                  checksum.add({ path: entry.path, size: entry.size, digest: entry.etag })
                  const pages = (yield* Ref.get(log)).length
                  if (pages !== previousPages) {
                    previousPages = pages
                    pageEntries = 0
                  }
                  largestPage = Math.max(largestPage, ++pageEntries)
                })
              )
            )
            const elapsed = performance.now() - started
            const result = Either.getOrThrow(checksum.result())
            expect(result.count).toBe(n)
            expect(result.toString()).toBe(expected)
            // One request per 1000 entries, each page consumed before the next is asked for.
            expect((yield* sentTo(`/zarr/${zarrId}/files/`)).length).toBe(Math.ceil(n / 1000))
            expect(largestPage).toBeLessThanOrEqual(1000)
            return elapsed
          })

        const small = yield* measure(10_000)
        const large = yield* measure(100_000)
        // Linear is at most 10× (less once the JIT is warm); rescanning the store per page is 20×+.
        expect(large / small).toBeLessThan(15)
      }), 300_000)
  })
})
