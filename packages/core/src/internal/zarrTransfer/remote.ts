/**
 * The archive's zarr endpoints as the transfers use them (server-contract §3.7, §4.2): create or
 * reuse a zarr, write its asset, ask for upload URLs, delete entries in batches, finalize and
 * wait for the checksum.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ApiClientShape } from "../../ApiClient.js"
import { AssetRecord, AssetWriteRequest, type JsonObject, ZarrEntryRecord, ZarrRecord } from "../../ApiRecords.js"
import type { RecordBackend } from "../recordBackend.js"
import { ResponseDecodeError, ValidationTimeout } from "../../DandiError.js"
import type { ApiError } from "../../HttpErrors.js"
import * as HttpErrors from "../../HttpErrors.js"
import type { PaginatorShape } from "../../Paginator.js"
import * as RemoteAssets from "../../RemoteAsset.js"
import type { RemoteAsset } from "../../RemoteAsset.js"

/** Entries per request for upload URLs (dandi-cli's ZARR_UPLOAD_BATCH_SIZE). */
export const UPLOAD_BATCH = 255
/** Entries per DELETE (dandi-cli's ZARR_DELETE_BATCH_SIZE). */
export const DELETE_BATCH = 100

export interface Remote {
  readonly api: ApiClientShape
  readonly paginator: PaginatorShape
  /** What the asset records the transfers answer with carry. */
  readonly backend: RecordBackend
}

const alreadyExists = (error: ApiError): boolean =>
  error._tag === "RequestRejectedError" && error.status === 400 &&
  (error.detail.includes("Zarr already exists") || error.detail.includes("must make a unique set"))

/** POST `/zarr/`; a name already taken in the dandiset gives that zarr back (`reused`). */
export const createOrReuse = (remote: Remote, dandisetId: string, name: string) =>
  remote.api.json(ZarrRecord, "POST", "/zarr/", { body: { name, dandiset: dandisetId } }).pipe(
    Effect.map((zarr) => ({ zarr, reused: false })),
    Effect.catchIf(alreadyExists, (error) =>
      remote.paginator.pages(ZarrRecord, "/zarr/", { params: { dandiset: dandisetId, name } }).pipe(
        Stream.runCollect,
        Effect.flatMap((found) => {
          const zarrs = Chunk.toReadonlyArray(found)
          return zarrs.length === 1
            ? Effect.succeed({ zarr: zarrs[0]!, reused: true })
            : Effect.fail(error)
        })
      ))
  ).pipe(Effect.withSpan("ZarrTransfers.createZarr", { attributes: { dandiset: dandisetId, name } }))

export const fetchZarr = (remote: Remote, zarrId: string) =>
  remote.api.json(ZarrRecord, "GET", `/zarr/${zarrId}/`, {
    notFound: { resource: "zarr", id: zarrId, message: `No such zarr: ${zarrId}; check the id (or the asset's zarr field)` }
  })

/** POST (new) or PUT (replacing) the asset of a zarr in the draft. */
export const writeAsset = (
  remote: Remote,
  dandisetId: string,
  metadata: JsonObject,
  zarrId: string,
  replacing: string | undefined
): Effect.Effect<RemoteAsset, ApiError> =>
  Effect.gen(function*() {
    const body = Schema.encodeSync(AssetWriteRequest)(new AssetWriteRequest({ metadata, zarr_id: zarrId }))
    const base = `/dandisets/${dandisetId}/versions/draft/assets/`
    const path = replacing === undefined ? base : `${base}${replacing}/`
    const method = replacing === undefined ? "POST" : "PUT"
    const record = yield* remote.api.json(AssetRecord, method, path, { body })
    return yield* Either.mapLeft(
      RemoteAssets.fromRecord(remote.backend, dandisetId, "draft", record),
      (reason) =>
        new ResponseDecodeError({
          message: `${reason} (writing the asset of zarr ${zarrId})`,
          method,
          url: remote.api.url(path),
          status: 200,
          excerpt: HttpErrors.excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
        })
    )
  })

export const fetchAsset = (remote: Remote, dandisetId: string, assetId: string) =>
  Effect.gen(function*() {
    const path = `/dandisets/${dandisetId}/versions/draft/assets/${assetId}/info/`
    const record = yield* remote.api.json(AssetRecord, "GET", path)
    return yield* Either.mapLeft(
      RemoteAssets.fromRecord(remote.backend, dandisetId, "draft", record),
      (reason) =>
        new ResponseDecodeError({
          message: reason,
          method: "GET",
          url: remote.api.url(path),
          status: 200,
          excerpt: HttpErrors.excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
        })
    )
  })

/** Every entry of the zarr (under a raw key prefix), one cursor page at a time. */
export const entries = (remote: Remote, zarrId: string, prefix?: string) =>
  remote.paginator.cursor(ZarrEntryRecord, `/zarr/${zarrId}/files/`, {
    params: { prefix },
    notFound: { resource: "zarr", id: zarrId, message: `No such zarr: ${zarrId}` }
  })

const UploadUrls = Schema.Array(Schema.String)

/** Presigned PUT URLs for `items`, in the same order. */
export const uploadUrls = (
  remote: Remote,
  zarrId: string,
  items: ReadonlyArray<{ readonly path: string; readonly base64md5: string }>
) =>
  Effect.gen(function*() {
    const path = `/zarr/${zarrId}/files/`
    const urls = yield* remote.api.json(UploadUrls, "POST", path, { body: items })
    if (urls.length !== items.length) {
      return yield* new ResponseDecodeError({
        message: `The archive answered ${items.length} upload requests with ${urls.length} URLs; it must give one per entry, in order. Try again.`,
        method: "POST",
        url: remote.api.url(path),
        status: 200,
        excerpt: ""
      })
    }
    return urls
  })

/** DELETE `/zarr/{id}/files/` for up to DELETE_BATCH keys (one request; all or nothing). */
export const deleteBatch = (remote: Remote, zarrId: string, paths: ReadonlyArray<string>) =>
  Effect.asVoid(remote.api.send("DELETE", `/zarr/${zarrId}/files/`, { body: paths.map((path) => ({ path })) }))

/** Batches of DELETE_BATCH, `onBatch` after each with the running count. */
export const deleteAll = (
  remote: Remote,
  zarrId: string,
  paths: ReadonlyArray<string>,
  onBatch: (deleted: number) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    for (let at = 0; at < paths.length; at += DELETE_BATCH) {
      const batch = paths.slice(at, at + DELETE_BATCH)
      yield* deleteBatch(remote, zarrId, batch)
      yield* onBatch(at + batch.length)
    }
  })

export const finalize = (remote: Remote, zarrId: string) =>
  Effect.asVoid(remote.api.send("POST", `/zarr/${zarrId}/finalize/`))

/**
 * Polls the zarr (sleeping first, as the archive needs a moment) until it is `Complete`; past
 * `timeout` fails with ValidationTimeout naming the last status.
 */
export const waitComplete = (
  remote: Remote,
  zarrId: string,
  interval: Duration.DurationInput,
  timeout: Duration.DurationInput
): Effect.Effect<ZarrRecord, ApiError | ValidationTimeout> =>
  Effect.gen(function*() {
    let last: ZarrRecord | undefined
    const poll = Effect.gen(function*() {
      while (true) {
        yield* Effect.sleep(interval)
        last = yield* fetchZarr(remote, zarrId)
        if (last.status === "Complete") return last
      }
    })
    return yield* poll.pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new ValidationTimeout({
            message: `Zarr ${zarrId} was still ${
              last?.status ?? "not ready"
            } after ${
              Duration.format(Duration.decode(timeout))
            }; the archive is still computing its checksum. Wait, then check it with ls or run the upload again (nothing will be re-sent).`,
            dandisetId: last?.dandiset ?? "",
            status: last?.status ?? "unknown"
          })
      })
    )
  }).pipe(Effect.withSpan("ZarrTransfers.waitComplete", { attributes: { zarr: zarrId } }))
