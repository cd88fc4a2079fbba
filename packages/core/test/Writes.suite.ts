/**
 * Every write of the facade and the records against the emulator, over whichever transport the
 * caller's layer gives: dandiset lifecycle (create, delete, metadata, wait-until-valid, publish
 * and its preconditions, unembargo, owners, stars, unfinished uploads) and asset edits
 * (metadata, rename, delete). Waiting runs on the TestClock: the emulator's background jobs and
 * the SDK's polling share it, and the transport says how time is moved on while a wait runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { ApiClient } from "@dandi-effect/core/ApiClient"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import type { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import { Duration, Effect, Fiber, type Layer, Schema, TestClock } from "effect"
import { admin, bytes, collect, seedOwner } from "./support/ApiHarness.js"

/**
 * A fresh archive and the SDK pointed at it with the key `owner-token`, which is not checked when
 * the layer is built (the user is added afterwards).
 */
export type SdkOverArchive = Layer.Layer<DandiApi | ApiClient | ArchiveEmulator>

export interface WritesTransport {
  readonly name: string
  readonly sdk: () => SdkOverArchive
  /** Runs `effect` (which waits on the TestClock) while the TestClock moves on, until it ends. */
  readonly whileTimePasses: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * In-process, the SDK's requests are effects on the same runtime: stepping the clock between
 * polls of the waiting fiber, up to `total`, is enough.
 */
export const steppingTheClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  total: Duration.DurationInput = "10 seconds",
  step: Duration.DurationInput = "100 millis"
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const steps = Math.ceil(Duration.toMillis(total) / Duration.toMillis(step))
    for (let i = 0; i < steps; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

const publishable = { description: "A study", license: ["spdx:CC-BY-4.0"] }

const created = (metadata: Record<string, unknown> = publishable, options?: { readonly embargo?: boolean }) =>
  Effect.gen(function*() {
    yield* seedOwner
    const api = yield* DandiApi
    return yield* api.createDandiset("Written", metadata, options)
  })

const withAsset = (dandiset: RemoteDandiset, path = "data.txt", content = "some data") =>
  Effect.gen(function*() {
    yield* (yield* admin).addBlobAsset(dandiset.identifier, path, bytes(content))
    return yield* dandiset.getAssetByPath(path)
  })

export const writesSuite = ({ name, sdk, whileTimePasses }: WritesTransport) => {
  describe(`dandiset lifecycle [${name}]`, () => {
    it.effect("createDandiset: the caller owns the new draft, with the metadata given", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        expect(yield* dandiset.versionId).toBe("draft")
        expect(yield* dandiset.embargoStatus).toBe("OPEN")
        const metadata = yield* dandiset.getRawMetadata()
        expect(metadata).toMatchObject({ name: "Written", description: "A study" })
        expect((yield* dandiset.getOwners()).map((o) => o.username)).toEqual(["owner"])
      }).pipe(Effect.provide(sdk())))

    it.effect("createDandiset with embargo: the dandiset is EMBARGOED", () =>
      Effect.gen(function*() {
        const dandiset = yield* created(publishable, { embargo: true })
        expect(yield* dandiset.embargoStatus).toBe("EMBARGOED")
      }).pipe(Effect.provide(sdk())))

    it.effect("delete: the dandiset is gone (NotFoundError afterwards)", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        yield* dandiset.delete()
        const error = yield* Effect.flip((yield* DandiApi).getDandiset(dandiset.identifier))
        expect(error._tag).toBe("NotFoundError")
      }).pipe(Effect.provide(sdk())))

    it.effect("setRawMetadata replaces the draft metadata and sends the draft back to Pending", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        // An empty draft is never Valid (the archive refuses to publish no data).
        yield* withAsset(dandiset)
        yield* whileTimePasses(dandiset.waitUntilValid())
        const info = yield* dandiset.setRawMetadata({ ...(yield* dandiset.getRawMetadata()), name: "Renamed", keywords: ["x"] })
        expect(info.status).toBe("Pending")
        expect(info.name).toBe("Renamed")
        expect(yield* dandiset.getRawMetadata()).toMatchObject({ name: "Renamed", keywords: ["x"] })
      }).pipe(Effect.provide(sdk())))

    it.effect("waitUntilValid on a valid draft returns once it is Valid", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        yield* withAsset(dandiset)
        const info = yield* whileTimePasses(dandiset.waitUntilValid())
        expect(info.status).toBe("Valid")
        expect(info.versionValidationErrors).toEqual([])
      }).pipe(Effect.provide(sdk())))

    it.effect("waitUntilValid on an invalid draft times out with the archive's problems", () =>
      Effect.gen(function*() {
        const dandiset = yield* created({ description: "no licence" })
        const error = yield* whileTimePasses(Effect.flip(dandiset.waitUntilValid({ maxTime: "3 seconds" })))
        expect(error._tag).toBe("ValidationTimeout")
        if (error._tag !== "ValidationTimeout") return
        expect(error.status).toBe("Invalid")
        expect(error.versionId).toBe("draft")
        expect(error.versionValidationErrors?.map((e) => e.message)).toContain("'license' is a required property")
        expect(error.message).toContain("license")
      }).pipe(Effect.provide(sdk())))

    it.effect("publish waits for the archive and returns the dandiset at the new version", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        yield* withAsset(dandiset)
        yield* whileTimePasses(dandiset.waitUntilValid())
        const published = yield* whileTimePasses(dandiset.publish({ releaseNotes: "first" }))
        const versionId = yield* published.versionId
        expect(versionId).toMatch(/^0\.\d{6}\.\d{4}$/)
        const versions = yield* collect(published.getVersions())
        expect(versions.map((v) => v.identifier)).toEqual(expect.arrayContaining(["draft", versionId]))
        expect((yield* collect(published.getAssets())).map((a) => a.path)).toEqual(["data.txt"])
      }).pipe(Effect.provide(sdk())))

    it.effect("publish preconditions: 409 while pending, 423 while publishing, 400 when unchanged", () =>
      Effect.gen(function*() {
        const api = yield* DandiApi
        const dandiset = yield* created()
        yield* withAsset(dandiset)
        const pending = yield* Effect.flip(api.publishVersion(dandiset.identifier, "draft"))
        expect(pending._tag === "ConflictError" && pending.status).toBe(409)
        const versionIds = Effect.map(collect(dandiset.getVersions()), (vs) => vs.map((v) => v.identifier))
        expect(yield* versionIds).toEqual(["draft"])
        yield* whileTimePasses(dandiset.waitUntilValid())
        yield* api.publishVersion(dandiset.identifier, "draft")
        const publishing = yield* Effect.flip(api.publishVersion(dandiset.identifier, "draft"))
        expect(publishing._tag === "ConflictError" && publishing.status).toBe(423)
        yield* TestClock.adjust("5 seconds")
        const unchanged = yield* Effect.flip(dandiset.publish())
        expect(unchanged._tag === "RequestRejectedError" && unchanged.status).toBe(400)
        expect(unchanged.message).toContain("no changes")
        // One publication came of the three attempts.
        expect(yield* versionIds).toHaveLength(2)
      }).pipe(Effect.provide(sdk())))

    it.effect("unembargo is refused while uploads are unfinished, then lifts the embargo once they are discarded", () =>
      Effect.gen(function*() {
        const dandiset = yield* created(publishable, { embargo: true })
        const client = yield* ApiClient
        yield* client.json(Schema.Unknown, "POST", "/uploads/initialize/", {
          body: {
            contentSize: 5,
            digest: { algorithm: "dandi:dandi-etag", value: "0123456789abcdef0123456789abcdef-1" },
            dandiset: dandiset.identifier
          }
        })
        expect((yield* collect(dandiset.getUploads())).length).toBe(1)
        const refused = yield* Effect.flip(dandiset.unembargo())
        expect(refused._tag === "RequestRejectedError" && refused.detail).toContain("active uploads")
        const api = yield* DandiApi
        expect(yield* (yield* api.getDandiset(dandiset.identifier)).embargoStatus).toBe("EMBARGOED")
        yield* dandiset.discardUploads()
        expect(yield* collect(dandiset.getUploads())).toEqual([])
        const open = yield* whileTimePasses(dandiset.unembargo())
        expect(yield* open.embargoStatus).toBe("OPEN")
        expect(yield* (yield* api.getDandiset(dandiset.identifier)).embargoStatus).toBe("OPEN")
      }).pipe(Effect.provide(sdk())))

    it.effect("owners: setOwners replaces them; removing everyone is refused", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        yield* (yield* admin).addUser({ username: "colleague", token: "colleague-token" })
        const owners = yield* dandiset.setOwners(["owner", "colleague"])
        expect(owners.map((o) => o.username).sort()).toEqual(["colleague", "owner"])
        const refused = yield* Effect.flip(dandiset.setOwners([]))
        expect(refused._tag).toBe("RequestRejectedError")
        expect((yield* dandiset.getOwners()).map((o) => o.username).sort()).toEqual(["colleague", "owner"])
      }).pipe(Effect.provide(sdk())))

    it.effect("star and unstar answer the star count", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        expect(yield* dandiset.star()).toBe(1)
        expect(yield* dandiset.star()).toBe(1)
        expect(yield* dandiset.unstar()).toBe(0)
      }).pipe(Effect.provide(sdk())))
  })

  describe(`asset edits [${name}]`, () => {
    it.effect("setRawMetadata: the archive mints a new asset id; the new record carries the metadata", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        const asset = yield* withAsset(dandiset)
        const metadata = yield* asset.getRawMetadata()
        const edited = yield* asset.setRawMetadata({ ...metadata, keywords: ["edited"] })
        expect(edited.identifier).not.toBe(asset.identifier)
        expect(edited.path).toBe("data.txt")
        expect(yield* edited.getRawMetadata()).toMatchObject({ keywords: ["edited"], schemaKey: "Asset" })
        const listed = yield* collect(dandiset.getAssets())
        expect(listed.map((a) => a.identifier)).toEqual([edited.identifier])
        // The old id is no longer in the draft.
        const gone = yield* Effect.flip(dandiset.getAsset(asset.identifier))
        expect(gone._tag).toBe("NotFoundError")
      }).pipe(Effect.provide(sdk())))

    it.effect("rename moves the asset to a new path", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        const asset = yield* withAsset(dandiset)
        const moved = yield* asset.rename("sub-1/moved.txt")
        expect(moved.path).toBe("sub-1/moved.txt")
        expect((yield* collect(dandiset.getAssets())).map((a) => a.path)).toEqual(["sub-1/moved.txt"])
      }).pipe(Effect.provide(sdk())))

    it.effect("rename onto a taken path is a ConflictError and changes nothing", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        const first = yield* withAsset(dandiset, "a.txt", "a")
        yield* withAsset(dandiset, "b.txt", "b")
        const before = (yield* collect(dandiset.getAssets())).map((a) => [a.path, a.identifier])
        const error = yield* Effect.flip(first.rename("b.txt"))
        expect(error._tag).toBe("ConflictError")
        expect((yield* collect(dandiset.getAssets())).map((a) => [a.path, a.identifier])).toEqual(before)
      }).pipe(Effect.provide(sdk())))

    it.effect("delete removes the asset from the draft", () =>
      Effect.gen(function*() {
        const dandiset = yield* created()
        const asset = yield* withAsset(dandiset)
        yield* asset.delete()
        expect(yield* collect(dandiset.getAssets())).toEqual([])
      }).pipe(Effect.provide(sdk())))
  })
}
