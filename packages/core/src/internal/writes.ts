/**
 * Every write of the archive API that is not an upload: dandisets (create, delete, owners,
 * stars, unembargo, unfinished uploads), draft metadata and publication, asset edits. Each is
 * one request through the ApiClient; the records (RemoteDandiset, RemoteAsset) and the facade
 * build the dandi-cli methods (wait, publish-and-poll, rename) on top.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { ApiClientShape } from "../ApiClient.js"
import {
  AssetRecord,
  AssetWriteRequest,
  CreateDandisetRequest,
  DandisetRecord,
  IncompleteUploadRecord,
  type JsonObject,
  OwnerRecord,
  OwnerUpdateItem,
  PublishRequest,
  StarCountRecord,
  UpdateVersionRequest
} from "../ApiRecords.js"
import type { ApiLocation } from "../DandiApi.js"
import { ResponseDecodeError } from "../DandiError.js"
import type { ApiError } from "../HttpErrors.js"
import * as HttpErrors from "../HttpErrors.js"
import type { PaginatorShape } from "../Paginator.js"
import type { RemoteAsset } from "../RemoteAsset.js"
import * as RemoteAssets from "../RemoteAsset.js"
import { VersionInfo } from "../Version.js"

export interface CreateDandisetOptions {
  /** Create it under embargo (only owners see it until it is unembargoed). */
  readonly embargo?: boolean | undefined
  /** `YYYY-MM-DD`; embargoed only (server default: two years from today). */
  readonly embargoEndDate?: string | undefined
  /** Embargoed only: who funds the work, with its award number (both or neither). */
  readonly fundingSource?: string | undefined
  readonly awardNumber?: string | undefined
}

/** What an asset PUT carries: new metadata, and which blob or zarr backs it. */
export type AssetBacking = { readonly blobId: string } | { readonly zarrId: string }

export interface Writes {
  readonly createDandiset: (
    name: string,
    metadata: JsonObject,
    options?: CreateDandisetOptions
  ) => Effect.Effect<DandisetRecord, ApiError>
  readonly deleteDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  readonly updateVersionMetadata: (
    identifier: string,
    versionId: string,
    name: string,
    metadata: JsonObject
  ) => Effect.Effect<VersionInfo, ApiError>
  readonly publishVersion: (
    identifier: string,
    versionId: string,
    releaseNotes?: string
  ) => Effect.Effect<void, ApiError>
  readonly unembargoDandiset: (identifier: string) => Effect.Effect<void, ApiError>
  readonly setOwners: (
    identifier: string,
    usernames: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError>
  readonly starDandiset: (identifier: string, starred: boolean) => Effect.Effect<number, ApiError>
  readonly listUploads: (identifier: string) => Stream.Stream<IncompleteUploadRecord, ApiError>
  readonly discardUploads: (identifier: string) => Effect.Effect<void, ApiError>
  readonly updateAsset: (
    identifier: string,
    versionId: string,
    assetId: string,
    metadata: JsonObject,
    backing: AssetBacking
  ) => Effect.Effect<RemoteAsset, ApiError>
  readonly deleteAsset: (identifier: string, versionId: string, assetId: string) => Effect.Effect<void, ApiError>
}

const dandisetNotFound = (identifier: string) => ({
  resource: "dandiset",
  id: identifier,
  message: `No such Dandiset: '${identifier}'. Verify the Dandiset ID is correct and that you have access.`
})

export const make = (client: ApiClientShape, paginator: PaginatorShape, location: ApiLocation): Writes => {
  const noContent = (method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, notFound = dandisetNotFound("")) =>
    client.send(method, path, { body, notFound }).pipe(Effect.flatMap((response) => Effect.ignore(response.text)))

  const createDandiset = Effect.fn("DandiApi.createDandiset")(
    function*(name: string, metadata: JsonObject, options?: CreateDandisetOptions) {
      const embargo = options?.embargo === true
      return yield* client.json(DandisetRecord, "POST", "/dandisets/", {
        // dandi-cli spells the flag as lower-case literals.
        params: {
          embargo: embargo ? "true" : "false",
          embargo_end_date: embargo ? options?.embargoEndDate : undefined,
          funding_source: embargo ? options?.fundingSource : undefined,
          award_number: embargo ? options?.awardNumber : undefined
        },
        body: Schema.encodeSync(CreateDandisetRequest)(new CreateDandisetRequest({ name, metadata }))
      })
    }
  )

  const updateAsset = Effect.fn("DandiApi.updateAsset")(
    function*(identifier: string, versionId: string, assetId: string, metadata: JsonObject, backing: AssetBacking) {
      const path = `/dandisets/${identifier}/versions/${versionId}/assets/${assetId}/`
      const body = new AssetWriteRequest({
        metadata,
        ...("blobId" in backing ? { blob_id: backing.blobId } : { zarr_id: backing.zarrId })
      })
      const record = yield* client.json(AssetRecord, "PUT", path, {
        body: Schema.encodeSync(AssetWriteRequest)(body),
        notFound: {
          resource: "asset",
          id: assetId,
          message: `No asset ${assetId} in version ${versionId} of Dandiset ${identifier} (or no such blob/zarr); list the assets to find its current id`
        }
      })
      return yield* Either.mapLeft(
        RemoteAssets.fromRecord(location, identifier, versionId, record),
        (reason) =>
          new ResponseDecodeError({
            message: `${reason} (PUT ${HttpErrors.displayUrl(client.url(path))})`,
            method: "PUT",
            url: HttpErrors.displayUrl(client.url(path)),
            status: 200,
            excerpt: HttpErrors.excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
          })
      )
    }
  )

  return {
    createDandiset,
    deleteDandiset: Effect.fn("DandiApi.deleteDandiset")(function*(identifier: string) {
      yield* noContent("DELETE", `/dandisets/${identifier}/`, undefined, dandisetNotFound(identifier))
    }),
    updateVersionMetadata: Effect.fn("DandiApi.updateVersionMetadata")(
      function*(identifier: string, versionId: string, name: string, metadata: JsonObject) {
        return yield* client.json(VersionInfo, "PUT", `/dandisets/${identifier}/versions/${versionId}/`, {
          body: Schema.encodeSync(UpdateVersionRequest)(new UpdateVersionRequest({ name, metadata })),
          notFound: {
            resource: "version",
            id: `${identifier}/${versionId}`,
            message: `No such version: '${versionId}' of Dandiset ${identifier}`
          }
        })
      }
    ),
    publishVersion: Effect.fn("DandiApi.publishVersion")(
      function*(identifier: string, versionId: string, releaseNotes?: string) {
        const body = releaseNotes === undefined
          ? {}
          : Schema.encodeSync(PublishRequest)(new PublishRequest({ release_notes: releaseNotes }))
        yield* noContent("POST", `/dandisets/${identifier}/versions/${versionId}/publish/`, body, dandisetNotFound(identifier))
      }
    ),
    unembargoDandiset: Effect.fn("DandiApi.unembargoDandiset")(function*(identifier: string) {
      yield* noContent("POST", `/dandisets/${identifier}/unembargo/`, undefined, dandisetNotFound(identifier))
    }),
    setOwners: Effect.fn("DandiApi.setOwners")(function*(identifier: string, usernames: ReadonlyArray<string>) {
      return yield* client.json(Schema.Array(OwnerRecord), "PUT", `/dandisets/${identifier}/users/`, {
        body: usernames.map((username) => Schema.encodeSync(OwnerUpdateItem)(new OwnerUpdateItem({ username }))),
        notFound: dandisetNotFound(identifier)
      })
    }),
    starDandiset: Effect.fn("DandiApi.starDandiset")(function*(identifier: string, starred: boolean) {
      const reply = yield* client.json(StarCountRecord, starred ? "POST" : "DELETE", `/dandisets/${identifier}/star/`, {
        notFound: dandisetNotFound(identifier)
      })
      return reply.count
    }),
    listUploads: (identifier) =>
      paginator.pages(IncompleteUploadRecord, `/dandisets/${identifier}/uploads/`, {
        notFound: dandisetNotFound(identifier)
      }),
    discardUploads: Effect.fn("DandiApi.discardUploads")(function*(identifier: string) {
      yield* noContent("DELETE", `/dandisets/${identifier}/uploads/`, undefined, dandisetNotFound(identifier))
    }),
    updateAsset,
    deleteAsset: Effect.fn("DandiApi.deleteAsset")(function*(identifier: string, versionId: string, assetId: string) {
      yield* noContent("DELETE", `/dandisets/${identifier}/versions/${versionId}/assets/${assetId}/`, undefined, {
        resource: "asset",
        id: assetId,
        message: `No asset ${assetId} in version ${versionId} of Dandiset ${identifier}; it may have been replaced (a new id) or deleted already`
      })
    })
  }
}
