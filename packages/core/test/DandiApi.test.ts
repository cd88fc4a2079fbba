import { describe, expect, it } from "@effect/vitest"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { Effect, Either, Option } from "effect"
import { admin, collect, harness, resetLog, seedDandiset, seedOwner, sentTo } from "./support/ApiHarness.js"

describe("DandiApi.getDandisets", () => {
  it.effect("lists every dandiset at its default version", () =>
    Effect.gen(function*() {
      const first = yield* seedDandiset("First")
      const second = yield* seedDandiset("Second")
      const published = yield* (yield* admin).publish(second)
      const api = yield* DandiApi
      const all = yield* collect(api.getDandisets())
      expect(all.map((d) => d.identifier)).toEqual([first, second])
      const versions = yield* Effect.forEach(all, (d) => d.versionId)
      expect(versions).toEqual(["draft", published.version])
      expect(String(all[0])).toBe(`DANDI:${first}/draft`)
    }).pipe(Effect.provide(harness())))

  it.effect("sends ordering=, user=me and Python-style booleans", () =>
    Effect.gen(function*() {
      yield* seedDandiset("Only")
      const api = yield* DandiApi
      yield* collect(api.getDandisets({ order: "-id", mine: true, draft: false, search: "Only" }))
      const [request] = yield* sentTo("/dandisets/")
      const query = new URLSearchParams(request!.url.split("?")[1])
      expect(query.get("ordering")).toBe("-id")
      expect(query.get("order")).toBeNull()
      expect(query.get("user")).toBe("me")
      expect(query.get("draft")).toBe("False")
      expect(query.get("search")).toBe("Only")
    }).pipe(Effect.provide(harness({ token: "owner-token" }))))
})

describe("DandiApi.getDandiset", () => {
  it.effect("picks the most recent published version, else the draft", () =>
    Effect.gen(function*() {
      const draftOnly = yield* seedDandiset("Draft only")
      const published = yield* seedDandiset("Published")
      const { version } = yield* (yield* admin).publish(published)
      const api = yield* DandiApi
      expect(yield* (yield* api.getDandiset(draftOnly)).versionId).toBe("draft")
      expect(yield* (yield* api.getDandiset(published)).versionId).toBe(version)
      const atDraft = yield* api.getDandiset(published, "draft")
      expect(yield* atDraft.versionId).toBe("draft")
      expect((yield* atDraft.version).name).toBe("Published")
    }).pipe(Effect.provide(harness())))

  it.effect("json dict of a never-published dandiset: no published version, draft is the version", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Fresh")
      const api = yield* DandiApi
      const json = yield* (yield* api.getDandiset(id)).jsonDict()
      expect(json.identifier).toBe(id)
      expect(json.most_recent_published_version).toBeNull()
      expect(json.draft_version).toEqual(json.version)
      expect(Object.keys(json.version)).toEqual(["version", "name", "asset_count", "size", "created", "modified", "status"])
      // the server names the default contact "<last>, <first>" (server-contract §3.1)
      expect(json.contact_person).toBe("One, Owner")
    }).pipe(Effect.provide(harness())))

  it.effect("an unknown dandiset fails with NotFoundError naming the id", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi
      const error = yield* Effect.flip(api.getDandiset("999999"))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toBe(
        "No such Dandiset: '999999'. Verify the Dandiset ID is correct and that you have access. "
      )
    }).pipe(Effect.provide(harness())))

  it.effect("an unknown version fails with NotFoundError naming version and dandiset", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Versions")
      const api = yield* DandiApi
      const error = yield* Effect.flip(api.getDandiset(id, "0.999999.9999"))
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toBe(`No such version: '0.999999.9999' of Dandiset ${id}`)
    }).pipe(Effect.provide(harness())))

  it.effect("lazy: no request until data is needed, then exactly one", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Lazy")
      const api = yield* DandiApi
      yield* resetLog
      const lazy = yield* api.getDandiset(id, "draft", { lazy: true })
      expect(yield* lazy.versionId).toBe("draft")
      expect(yield* sentTo("")).toHaveLength(0)
      const loaded = yield* lazy.load
      expect(yield* sentTo(`/dandisets/${id}/`)).toHaveLength(1)
      yield* loaded.created
      yield* loaded.modified
      yield* loaded.version
      yield* loaded.mostRecentPublishedVersion
      yield* loaded.draftVersion
      yield* loaded.contactPerson
      expect(yield* sentTo("")).toHaveLength(1)
    }).pipe(Effect.provide(harness())))

  it.effect("lazy with an unknown id fails only when data is read", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi
      const lazy = yield* api.getDandiset("999998", undefined, { lazy: true })
      const error = yield* Effect.flip(lazy.created)
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain("999998")
    }).pipe(Effect.provide(harness())))
})

describe("DandiApi server-level operations", () => {
  it.effect("info, stats, schema models and checkSchemaVersion", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi
      const info = yield* api.info
      expect(info.schema_version).toBe("0.7.0")
      expect(yield* api.checkSchemaVersion()).toBe("same")
      const error = yield* Effect.flip(api.checkSchemaVersion("0.3.0"))
      expect(error._tag).toBe("SchemaVersionError")
      expect(error.message).toContain("Server uses schema version 0.7.0; client only supports prior 0.3.0")
      const stats = yield* api.stats
      expect(typeof stats.dandiset_count).toBe("number")
      const models = yield* api.getMetadataSchemaModels
      expect(models).toContain("Dandiset")
      const schema = yield* api.getMetadataSchema("Dandiset")
      expect(typeof schema).toBe("object")
    }).pipe(Effect.provide(harness())))

  it.effect("me needs a token and returns the user", () =>
    Effect.gen(function*() {
      yield* seedOwner
      const api = yield* DandiApi
      const me = yield* api.me
      expect(me.username).toBe("owner")
    }).pipe(Effect.provide(harness({ token: "owner-token" }))))

  it.effect("me without a token is an AuthenticationError", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi
      const result = yield* Effect.either(api.me)
      expect(Either.isLeft(result) && result.left._tag).toBe("AuthenticationError")
    }).pipe(Effect.provide(harness())))

  it.effect("searchDandisets finds by free text", () =>
    Effect.gen(function*() {
      yield* seedDandiset("Mouse hippocampus")
      yield* seedDandiset("Zebrafish")
      const api = yield* DandiApi
      const found = yield* collect(api.searchDandisets({ search: "Zebrafish" }))
      expect(found.map((r) => Option.getOrNull(Option.map(r.dandiset.data, (d) => d.draft_version?.name ?? null))))
        .toEqual(["Zebrafish"])
    }).pipe(Effect.provide(harness())))
})

describe("malformed ids are refused before any request", () => {
  it.effect("a dandiset id that is not six digits, an asset or zarr id that is not a UUID: InvalidIdentifierError, nothing sent", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Ids")
      const api = yield* DandiApi
      yield* resetLog
      const failures = [
        yield* Effect.flip(api.getDandiset("12345")),
        yield* Effect.flip(api.getDandiset("../users/me", undefined, { lazy: true })),
        yield* Effect.flip(api.fetchOwners("1")),
        yield* Effect.flip(collect(api.listVersions("DANDI:000001"))),
        yield* Effect.flip(collect(api.listAssets("000001/x", "draft"))),
        yield* Effect.flip(api.getAsset("not-a-uuid")),
        yield* Effect.flip(api.fetchVersionAsset(id, "draft", "../../dandisets")),
        yield* Effect.flip(collect(api.listZarrFiles("zarr?x=1")))
      ]
      for (const failure of failures) {
        expect(failure._tag).toBe("InvalidIdentifierError")
      }
      expect(failures[0]!.message).toContain("six digits")
      expect(failures[5]!.message).toContain("UUID")
      expect(yield* sentTo("")).toEqual([])
    }).pipe(Effect.provide(harness())))

  it.effect("a version id is sent percent-encoded, as one path segment", () =>
    Effect.gen(function*() {
      const id = yield* seedDandiset("Versions")
      const api = yield* DandiApi
      yield* resetLog
      const error = yield* Effect.flip(api.fetchVersionInfo(id, "draft/../.."))
      expect(error._tag).toBe("NotFoundError")
      const [request] = yield* sentTo("")
      expect(request!.url).toContain(`/dandisets/${id}/versions/draft%2F..%2F../info/`)
    }).pipe(Effect.provide(harness())))
})
