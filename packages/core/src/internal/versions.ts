/**
 * Versions of a dandiset: listing, `/info/` (with validation errors), metadata.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { JsonObject } from "../ApiRecords.js"
import { Version, VersionInfo } from "../Version.js"
import type { RecordOperations } from "./dandiApiService.js"
import type { Resources } from "./resources.js"
import { dandisetNotFound, versionNotFound } from "./resources.js"

export type VersionOperations = Pick<RecordOperations, "listVersions" | "fetchVersionInfo" | "fetchVersionMetadata">

export const make = ({ client, paginator }: Resources): VersionOperations => ({
  listVersions: (identifier, order) =>
    paginator.pages(Version, `/dandisets/${identifier}/versions/`, {
      params: { order },
      notFound: dandisetNotFound(identifier)
    }).pipe(Stream.withSpan("DandiApi.listVersions", { attributes: { dandiset: identifier } })),

  fetchVersionInfo: Effect.fn("DandiApi.fetchVersionInfo")(function*(identifier: string, versionId: string) {
    return yield* client.json(VersionInfo, "GET", `/dandisets/${identifier}/versions/${versionId}/info/`, {
      notFound: versionNotFound(identifier, versionId)
    })
  }),

  fetchVersionMetadata: Effect.fn("DandiApi.fetchVersionMetadata")(function*(identifier: string, versionId: string) {
    return yield* client.json(JsonObject, "GET", `/dandisets/${identifier}/versions/${versionId}/`, {
      notFound: versionNotFound(identifier, versionId)
    })
  })
})
