/**
 * Zarr archives: a dandiset's zarrs and the files of one zarr (cursor pagination).
 *
 * @internal
 */
import * as Stream from "effect/Stream"
import { ZarrEntryRecord, ZarrRecord } from "../ApiRecords.js"
import { RemoteZarrEntry } from "../RemoteZarrEntry.js"
import type { RecordOperations } from "./dandiApiService.js"
import type { Resources } from "./resources.js"
import { pyRepr } from "./text.js"

export type ZarrOperations = Pick<RecordOperations, "listZarrs" | "listZarrFiles">

export const make = ({ location, paginator }: Resources): ZarrOperations => ({
  listZarrs: (identifier) =>
    paginator.pages(ZarrRecord, "/zarr/", { params: { dandiset: identifier } }).pipe(
      Stream.withSpan("DandiApi.listZarrs", { attributes: { dandiset: identifier } })
    ),
  listZarrFiles: (zarrId, prefix) =>
    paginator.cursor(ZarrEntryRecord, `/zarr/${zarrId}/files/`, {
      params: { prefix },
      notFound: { resource: "zarr", id: zarrId, message: `No such zarr: ${pyRepr(zarrId)}` }
    }).pipe(
      Stream.map((entry) => RemoteZarrEntry.fromWire(location.apiUrl, zarrId, entry)),
      Stream.withSpan("DandiApi.listZarrFiles", { attributes: { zarr: zarrId } })
    )
})
