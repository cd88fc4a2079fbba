/**
 * The error channels of the main operations, pinned at the type level (checked by `npm test`'s
 * type-check of the tests): a read can fail only as an API request can (`ApiError`: not found,
 * authentication, permission, conflict, rejected request, server, transport, undecodable
 * response), never with, say, `DigestMismatch` or `UnsafePathError`; checking the schema version
 * adds `SchemaVersionError` and nothing else.
 */
import type * as DandiApi from "@dandi-effect/core/DandiApi"
import type { DigestMismatch, SchemaVersionError, UnsafePathError, ValidationTimeout } from "@dandi-effect/core/DandiError"
import type { ApiError } from "@dandi-effect/core/HttpErrors"
import type * as RemoteAsset from "@dandi-effect/core/RemoteAsset"
import type * as RemoteDandiset from "@dandi-effect/core/RemoteDandiset"
import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Effect, Stream } from "effect"

type Api = DandiApi.DandiApiShape
type Dandiset = RemoteDandiset.RemoteDandiset
type Asset = RemoteAsset.RemoteBlobAsset
type ZarrAsset = RemoteAsset.RemoteZarrAsset

/** The error channel of an operation's result, Effect or Stream alike. */
type ErrorOf<T> = T extends Effect.Effect<any, infer E, any> ? E : T extends Stream.Stream<any, infer E, any> ? E : never
type Fails<F extends (...args: any) => any> = ErrorOf<ReturnType<F>>

describe("error channels", () => {
  it("DandiApi reads and authentication fail only with ApiError", () => {
    expectTypeOf<Fails<Api["getDandisets"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["getDandiset"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["getAsset"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["searchDandisets"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["authenticate"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["dandiAuthenticate"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<ErrorOf<Api["info"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<ErrorOf<Api["me"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["listVersions"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["listZarrFiles"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Api["resolveRedirects"]>>().toEqualTypeOf<ApiError>()
  })

  it("checking the schema version adds SchemaVersionError, nothing else", () => {
    expectTypeOf<Fails<Api["checkSchemaVersion"]>>().toEqualTypeOf<ApiError | SchemaVersionError>()
  })

  it("record methods fail only with ApiError", () => {
    expectTypeOf<Fails<Dandiset["getAssets"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["getAssetByPath"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["getAssetsByGlob"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["getVersions"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["getMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<ErrorOf<Dandiset["version"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["getMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["getRawDigest"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["getContentUrl"]>>().toEqualTypeOf<ApiError>()
  })

  it("writes fail as an API request fails; waiting for the archive adds ValidationTimeout", () => {
    expectTypeOf<Fails<Asset["setRawMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["setMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["rename"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Asset["delete"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<ZarrAsset["setRawMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<ZarrAsset["rename"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<ZarrAsset["delete"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["setRawMetadata"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["setOwners"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["star"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["getUploads"]>>().toEqualTypeOf<ApiError>()
    expectTypeOf<Fails<Dandiset["waitUntilValid"]>>().toEqualTypeOf<ApiError | ValidationTimeout>()
    expectTypeOf<Fails<Dandiset["publish"]>>().toEqualTypeOf<ApiError | ValidationTimeout>()
    expectTypeOf<Fails<Dandiset["unembargo"]>>().toEqualTypeOf<ApiError | ValidationTimeout>()
  })

  it("errors of other operations are not in a read's channel", () => {
    expectTypeOf<DigestMismatch>().not.toMatchTypeOf<Fails<Api["getDandiset"]>>()
    expectTypeOf<UnsafePathError>().not.toMatchTypeOf<Fails<Dandiset["getAssets"]>>()
    expectTypeOf<SchemaVersionError>().not.toMatchTypeOf<Fails<Api["getDandiset"]>>()
  })
})
