/**
 * Every write of the archive API that is not an upload: dandisets (create, delete, owners,
 * stars, unembargo, unfinished uploads), draft metadata and publication, asset edits. Each is
 * one request through the ApiClient (`wire`, what the records call); the records (RemoteDandiset,
 * RemoteAsset) and the facade build the dandi-cli methods (wait, publish-and-poll, rename) on
 * top. `make` adds the facade's writes that answer with records.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
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
  UpdateVersionRequest,
  VersionInfoRecord
} from "../ApiRecords.js"
import type { CreateDandisetOptions, WriteOperations } from "./dandiApiService.js"
import { ResponseDecodeError } from "../DandiError.js"
import * as HttpErrors from "../HttpErrors.js"
import type { PaginatorShape } from "../Paginator.js"
import * as RemoteAssets from "../RemoteAsset.js"
import { RemoteDandiset } from "../RemoteDandiset.js"
import { VersionInfo } from "../Version.js"
import type { AssetBacking, RecordBackend, WriteWire } from "./recordBackend.js"
import { checkAssetRecord } from "./recordBackend.js"


const dandisetNotFound = (identifier: string) => ({
  resource: "dandiset",
  id: identifier,
  message: `No such Dandiset: '${identifier}'. Verify the Dandiset ID is correct and that you have access.`
})

export const wire = (client: ApiClientShape, paginator: PaginatorShape): WriteWire => {
  const noContent = (method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, notFound = dandisetNotFound("")) =>
    client.send(method, path, { body, notFound }).pipe(Effect.flatMap((response) => Effect.ignore(response.text)))

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
        checkAssetRecord(record),
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
    deleteDandiset: Effect.fn("DandiApi.deleteDandiset")(function*(identifier: string) {
      yield* noContent("DELETE", `/dandisets/${identifier}/`, undefined, dandisetNotFound(identifier))
    }),
    updateVersionMetadata: Effect.fn("DandiApi.updateVersionMetadata")(
      function*(identifier: string, versionId: string, name: string, metadata: JsonObject) {
        const record = yield* client.json(VersionInfoRecord, "PUT", `/dandisets/${identifier}/versions/${versionId}/`, {
          body: Schema.encodeSync(UpdateVersionRequest)(new UpdateVersionRequest({ name, metadata })),
          notFound: {
            resource: "version",
            id: `${identifier}/${versionId}`,
            message: `No such version: '${versionId}' of Dandiset ${identifier}`
          }
        })
        return VersionInfo.fromRecord(record)
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

/** The facade's writes that answer with records: each record gets `backend`. */
export const make = (
  client: ApiClientShape,
  backend: RecordBackend
): Pick<WriteOperations, "createDandiset" | "updateAsset"> => {
  const createDandiset = Effect.fn("DandiApi.createDandiset")(
    function*(name: string, metadata: JsonObject, options?: CreateDandisetOptions) {
      const embargo = options?.embargo === true
      const record = yield* client.json(DandisetRecord, "POST", "/dandisets/", {
        // dandi-cli spells the flag as lower-case literals.
        params: {
          embargo: embargo ? "true" : "false",
          embargo_end_date: embargo ? options?.embargoEndDate : undefined,
          funding_source: embargo ? options?.fundingSource : undefined,
          award_number: embargo ? options?.awardNumber : undefined
        },
        body: Schema.encodeSync(CreateDandisetRequest)(new CreateDandisetRequest({ name, metadata }))
      })
      // A new dandiset has only its draft, which `fromData` selects.
      return RemoteDandiset.fromData(backend, record)
    }
  )

  return {
    createDandiset,
    updateAsset: (identifier, versionId, assetId, metadata, backing) =>
      Effect.map(
        backend.updateAsset(identifier, versionId, assetId, metadata, backing),
        (record) => RemoteAssets.fromCheckedRecord(backend, identifier, versionId, record)
      )
  }
}
