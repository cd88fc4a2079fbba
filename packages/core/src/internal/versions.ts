/**
 * Versions of a dandiset: listing, `/info/` (with validation errors), metadata.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { JsonObject, VersionInfoRecord, VersionRecord } from "../ApiRecords.js"
import { Version, VersionInfo } from "../Version.js"
import type { RecordBackend } from "./recordBackend.js"
import * as Ids from "./ids.js"
import type { Resources } from "./resources.js"
import { dandisetNotFound, versionNotFound } from "./resources.js"

export type VersionOperations = Pick<RecordBackend, "listVersions" | "fetchVersionInfo" | "fetchVersionMetadata">

export const make = ({ client, paginator }: Resources): VersionOperations => ({
  listVersions: (identifier, order) =>
    Stream.unwrap(Effect.map(Ids.dandiset(identifier), (id) =>
      paginator.pages(VersionRecord, `/dandisets/${id}/versions/`, {
        params: { order },
        notFound: dandisetNotFound(identifier)
      }))).pipe(Stream.map(Version.fromRecord), Stream.withSpan("DandiApi.listVersions", { attributes: { dandiset: identifier } })),

  fetchVersionInfo: Effect.fn("DandiApi.fetchVersionInfo")(function*(identifier: string, versionId: string) {
    const id = yield* Ids.dandiset(identifier)
    const record = yield* client.json(VersionInfoRecord, "GET", `/dandisets/${id}/versions/${Ids.version(versionId)}/info/`, {
      notFound: versionNotFound(identifier, versionId)
    })
    return VersionInfo.fromRecord(record)
  }),

  fetchVersionMetadata: Effect.fn("DandiApi.fetchVersionMetadata")(function*(identifier: string, versionId: string) {
    const id = yield* Ids.dandiset(identifier)
    return yield* client.json(JsonObject, "GET", `/dandisets/${id}/versions/${Ids.version(versionId)}/`, {
      notFound: versionNotFound(identifier, versionId)
    })
  })
})
