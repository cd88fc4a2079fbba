/**
 * The Uploader against the in-process emulator: what reaches the archive, what is refused before
 * any byte is sent, dedup, replace, metadata filling and the event stream. Wire behaviour
 * (multipart over sockets, faults, resume) is tested over loopback in the node package.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ByteSource from "@dandi-effect/core/ByteSource"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import * as Uploader from "@dandi-effect/core/Uploader"
import { Effect, Either } from "effect"
import { admin, collect, harness, resetLog, seedDandiset, sentTo, storageRequests } from "./support/ApiHarness.js"

/** DandiApi.layer on the in-process emulator: it provides the Uploader (state in memory). */
const uploading = (options: { readonly token?: string } = {}) => harness({ token: options.token ?? "owner-token" })

const text = (name: string, content: string) => ByteSource.fromBytes(name, new TextEncoder().encode(content))

describe("Uploader.uploadBlob", () => {
  it.effect("uploads a small file: one part PUT without a token, the asset with a filled encodingFormat", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Uploads")
      const uploader = yield* Uploader.Uploader
      const result = yield* uploader.uploadBlob({
        dandisetId: id,
        source: text("notes.txt", "hello world\n"),
        path: "docs/notes.txt",
        metadata: { description: "a note" }
      })
      expect(result.etag).toBe("8d780cfbcd9622aa77011564e615065f-1")
      expect(result.deduplicated).toBe(false)
      expect(result.partsSent).toBe(1)
      expect(result.asset.path).toBe("docs/notes.txt")
      const stored = yield* result.asset.getRawMetadata()
      expect(stored).toMatchObject({ path: "docs/notes.txt", encodingFormat: "text/plain", description: "a note" })
      const puts = (yield* storageRequests).filter((r) => r.method === "PUT")
      expect(puts).toHaveLength(1)
      expect(puts.every((r) => r.authorization === undefined)).toBe(true)
      const listed = yield* collect((yield* (yield* DandiApi).getDandiset(id, "draft")).getAssets())
      expect(listed.map((a) => a.path)).toEqual(["docs/notes.txt"])
    }).pipe(Effect.provide(uploading())))

  it.effect("bytes the archive already stores: 409 reuses the blob and sends no byte", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Dedup")
      const uploader = yield* Uploader.Uploader
      const first = yield* uploader.uploadBlob({ dandisetId: id, source: text("a.txt", "same bytes"), path: "a.txt" })
      yield* resetLog
      const second = yield* uploader.uploadBlob({ dandisetId: id, source: text("b.txt", "same bytes"), path: "b.txt" })
      expect(second.deduplicated).toBe(true)
      expect(second.blobId).toBe(first.blobId)
      expect(yield* storageRequests).toEqual([])
      expect((yield* sentTo("/complete/")).length).toBe(0)
      expect(second.asset.path).toBe("b.txt")
    }).pipe(Effect.provide(uploading())))

  it.effect("replacing an asset PUTs it: the path keeps one asset, with a new id and the new bytes", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Replace")
      const uploader = yield* Uploader.Uploader
      const old = yield* uploader.uploadBlob({ dandisetId: id, source: text("a.txt", "version 1"), path: "a.txt" })
      const replaced = yield* uploader.uploadBlob({
        dandisetId: id,
        source: text("a.txt", "version 2, longer"),
        path: "a.txt",
        replacing: old.asset.identifier
      })
      expect(replaced.asset.identifier).not.toBe(old.asset.identifier)
      const listed = yield* collect((yield* (yield* DandiApi).getDandiset(id, "draft")).getAssets())
      expect(listed.map((a) => [a.path, a.size])).toEqual([["a.txt", "version 2, longer".length]])
    }).pipe(Effect.provide(uploading())))

  it.effect("the event stream reports each step in order and ends with Done", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Events")
      const uploader = yield* Uploader.Uploader
      const events = yield* collect(uploader.upload({ dandisetId: id, source: text("e.txt", "events"), path: "e.txt" }))
      const tags = events.map((e) => e._tag).filter((tag, i, all) => tag !== "Progress" || all[i - 1] !== "Progress")
      expect(tags).toEqual([
        "Hashing",
        "Hashed",
        "Initiated",
        "Progress",
        "PartUploaded",
        "Finalizing",
        "Finalizing",
        "Finalizing",
        "Done"
      ])
      const done = events[events.length - 1]!
      expect(Uploader.UploadEvent.$is("Done")(done) && done.asset.path).toBe("e.txt")
    }).pipe(Effect.provide(uploading())))

  describe("refuses before sending anything", () => {
    const refusedWith = (path: string, content: string) =>
      Effect.gen(function*() {
        const id = yield* seedDandiset("Refusals")
        yield* resetLog
        const uploader = yield* Uploader.Uploader
        const outcome = yield* Effect.either(uploader.uploadBlob({ dandisetId: id, source: text("x", content), path }))
        const sent = yield* sentTo("")
        return { outcome, sent }
      })

    for (
      const [path, rule] of [
        ["/abs.txt", "must not begin with /"],
        ["a//b.txt", "empty segment"],
        ["../up.txt", "'..' segment"],
        ["naïve.txt", "contains \"ï\""],
        ["a..b.txt", "a '.' may only stand"],
        ["dir./x.txt", "a '.' may only stand"],
        ["what?.txt", "contains \"?\""]
      ] as const
    ) {
      it.effect(`a path outside the archive's grammar: ${path}`, () =>
        Effect.gen(function*() {
          const { outcome, sent } = yield* refusedWith(path, "data")
          expect(Either.isLeft(outcome)).toBe(true)
          const error = Either.getLeft(outcome).pipe((o) => o._tag === "Some" ? o.value : undefined)!
          expect(error._tag).toBe("UploadRefusedError")
          expect(error.message).toContain(JSON.stringify(path))
          expect(error.message).toContain(rule)
          expect(sent).toEqual([])
        }).pipe(Effect.provide(uploading())))
    }

    it.effect("accepts what the grammar allows: spaces, (),&#+~_=- and dots inside names", () =>
      Effect.gen(function*() {
        const { outcome } = yield* refusedWith("sub-1/a b (1),&#+~_=-.v2.txt", "data")
        expect(Either.isRight(outcome)).toBe(true)
      }).pipe(Effect.provide(uploading())))

    it.effect("an empty file", () =>
      Effect.gen(function*() {
        const { outcome, sent } = yield* refusedWith("empty.txt", "")
        expect(Either.getLeft(outcome).pipe((o) => o._tag === "Some" && o.value._tag === "UploadRefusedError" && o.value.rule))
          .toBe("empty-file")
        expect(sent).toEqual([])
      }).pipe(Effect.provide(uploading())))

    it.effect("a Zarr archive, with a line that points to ZarrTransfers and the upload command", () =>
      Effect.gen(function*() {
        const { outcome, sent } = yield* refusedWith("sub-1/image.ome.zarr/0/0", "chunk")
        const error = Either.getLeft(outcome).pipe((o) => o._tag === "Some" ? o.value : undefined)!
        expect(error._tag === "UploadRefusedError" && error.rule).toBe("zarr")
        expect(error.message).toContain("Zarr")
        expect(error.message).toContain("ZarrTransfers.upload")
        expect(error.message).toContain("dandi-effect upload")
        expect(error.message).not.toContain("dandi-cli")
        expect(sent).toEqual([])
      }).pipe(Effect.provide(uploading())))

    it.effect("metadata whose dandi-etag disagrees with the data", () =>
      Effect.gen(function*() {
        const id = yield* seedDandiset("Stale metadata")
        yield* resetLog
        const uploader = yield* Uploader.Uploader
        const error = yield* Effect.flip(uploader.uploadBlob({
          dandisetId: id,
          source: text("x.txt", "new content"),
          path: "x.txt",
          metadata: { digest: { "dandi:dandi-etag": "00000000000000000000000000000000-1" } }
        }))
        expect(error._tag).toBe("DigestMismatch")
        expect(yield* sentTo("")).toEqual([])
      }).pipe(Effect.provide(uploading())))
  })

  it.effect("an uploaded asset with a filled encodingFormat validates, so the draft can be published", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Validates")
      const uploader = yield* Uploader.Uploader
      yield* uploader.uploadBlob({ dandisetId: id, source: text("data.csv", "a,b\n1,2\n"), path: "data.csv" })
      yield* (yield* admin).runBackgroundJobs
      const info = yield* (yield* DandiApi).fetchVersionInfo(id, "draft")
      expect(info.assetValidationErrors).toEqual([])
      expect(info.status).toBe("Valid")
    }).pipe(Effect.provide(uploading())))
})

describe("Uploader.encodingFormatFor", () => {
  it("names NWB, common types, and falls back to octet-stream", () => {
    expect(Uploader.encodingFormatFor("sub-1/sub-1_ecephys.nwb")).toBe("application/x-nwb")
    expect(Uploader.encodingFormatFor("README.md")).toBe("text/markdown")
    expect(Uploader.encodingFormatFor("movie.MP4")).toBe("video/mp4")
    expect(Uploader.encodingFormatFor("raw.unknownext")).toBe("application/octet-stream")
  })
})
