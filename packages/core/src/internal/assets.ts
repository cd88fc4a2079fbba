/**
 * Assets: a version's listing (metadata inline), one asset of a version, the folder tree, raw
 * metadata (what records call, as checked asset records), and the facade's `getAsset`,
 * `listAssets` and `fetchVersionAsset`, which hand the backend to every asset they make.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { AssetPathEntry, AssetRecord, AssetRecordWithContent, JsonObject } from "../ApiRecords.js"
import * as RemoteAssets from "../RemoteAsset.js"
import type { ClientOperations, RecordOperations } from "./dandiApiService.js"
import * as Ids from "./ids.js"
import type { AssetQuery, RecordBackend } from "./recordBackend.js"
import { checkAssetRecord } from "./recordBackend.js"
import type { Resources } from "./resources.js"
import { invalidAsset, versionNotFound } from "./resources.js"
import { pyRepr } from "./text.js"

export type AssetWire = Pick<RecordBackend, "listAssets" | "fetchVersionAsset" | "listAssetPaths" | "fetchAssetMetadata">

export type AssetOperations =
  & Pick<ClientOperations, "getAsset">
  & Pick<RecordOperations, "listAssets" | "fetchVersionAsset">

export const wire = ({ client, location, paginator }: Resources): AssetWire => ({
  listAssets: (identifier: string, versionId: string, query: AssetQuery = {}) =>
    Stream.unwrap(Effect.map(Ids.dandiset(identifier), (id) => {
      const path = `/dandisets/${id}/versions/${Ids.version(versionId)}/assets/`
      // Both or neither of blob/zarr fails on that field, so the listing can name the record
      // (and, with onInvalid "skip", go on without it).
      return paginator.pages(AssetRecordWithContent, path, {
        // Inline metadata: reading every asset's metadata costs no request per asset.
        params: { order: query.order, path: query.path, glob: query.glob, metadata: true },
        notFound: versionNotFound(identifier, versionId)
      }).pipe(
        // A page at a time: one Effect per chunk, not per record.
        Stream.mapChunksEffect((records) =>
          Either.all(Chunk.map(records, (record) =>
            Either.mapLeft(checkAssetRecord(record), (reason) => invalidAsset(client.url(path), record, reason)))).pipe(
              Either.map(Chunk.unsafeFromArray)
            )
        )
      )
    })).pipe(Stream.withSpan("DandiApi.listAssets", { attributes: { dandiset: identifier, version: versionId } })),

  fetchVersionAsset: Effect.fn("DandiApi.fetchVersionAsset")(
    function*(identifier: string, versionId: string, assetId: string, notFoundMessage?: string) {
      const id = yield* Ids.dandiset(identifier)
      const path = `/dandisets/${id}/versions/${Ids.version(versionId)}/assets/${yield* Ids.asset(assetId)}/info/`
      const record = yield* client.json(AssetRecord, "GET", path, {
        notFound: {
          resource: "asset",
          id: assetId,
          message: notFoundMessage ??
            `No such asset: ${pyRepr(assetId)} for ${location.instanceName.toUpperCase()}:${identifier}/${versionId}`
        }
      })
      return yield* Either.mapLeft(checkAssetRecord(record), (reason) => invalidAsset(client.url(path), record, reason))
    }
  ),

  listAssetPaths: (identifier, versionId, pathPrefix = "") =>
    Stream.unwrap(Effect.map(Ids.dandiset(identifier), (id) =>
      paginator.pages(AssetPathEntry, `/dandisets/${id}/versions/${Ids.version(versionId)}/assets/paths/`, {
      params: { path_prefix: pathPrefix === "" ? undefined : pathPrefix },
      notFound: {
        resource: "folder",
        id: pathPrefix,
        message: `No folder ${
          pyRepr(pathPrefix)
        } in version ${versionId} of Dandiset ${identifier} (or no such version); list the parent folder to see what exists`
      }
    }))).pipe(Stream.withSpan("DandiApi.listAssetPaths", { attributes: { dandiset: identifier } })),

  fetchAssetMetadata: Effect.fn("DandiApi.fetchAssetMetadata")(function*(apiPath: string, notFoundMessage: string) {
    return yield* client.json(JsonObject, "GET", apiPath, {
      notFound: { resource: "asset", id: apiPath, message: notFoundMessage }
    })
  })
})

export const make = ({ client }: Resources, backend: RecordBackend): AssetOperations => ({
  getAsset: Effect.fn("DandiApi.getAsset")(function*(assetId: string) {
    const path = `/assets/${yield* Ids.asset(assetId)}/info/`
    const record = yield* client.json(AssetRecord, "GET", path, {
      notFound: {
        resource: "asset",
        id: assetId,
        message: `No such asset: ${
          pyRepr(assetId)
        }. Verify the asset ID is correct. Use 'dandi-effect ls' to list available assets.`
      }
    })
    return yield* Either.mapLeft(
      RemoteAssets.fromBaseRecord(backend, record),
      (reason) => invalidAsset(client.url(path), record, reason)
    )
  }),

  listAssets: (identifier, versionId, query) =>
    backend.listAssets(identifier, versionId, query).pipe(
      Stream.map((record) => RemoteAssets.fromCheckedRecord(backend, identifier, versionId, record))
    ),

  fetchVersionAsset: (identifier, versionId, assetId, notFoundMessage) =>
    Effect.map(
      backend.fetchVersionAsset(identifier, versionId, assetId, notFoundMessage),
      (record) => RemoteAssets.fromCheckedRecord(backend, identifier, versionId, record)
    )
})
