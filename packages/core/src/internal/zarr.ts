/**
 * Zarr archives: a dandiset's zarrs and the files of one zarr (cursor pagination).
 *
 * @internal
 */
import * as Stream from "effect/Stream"
import { ZarrEntryRecord, ZarrRecord } from "../ApiRecords.js"
import { RemoteZarrEntry } from "../RemoteZarrEntry.js"
import type { RecordOperations } from "./dandiApiService.js"
import * as Effect from "effect/Effect"
import * as Ids from "./ids.js"
import type { Resources } from "./resources.js"
import { pyRepr } from "./text.js"

export type ZarrOperations = Pick<RecordOperations, "listZarrs" | "listZarrFiles">

export const make = ({ location, paginator }: Resources): ZarrOperations => ({
  listZarrs: (identifier) =>
    Stream.unwrap(Effect.map(Ids.dandiset(identifier), (id) =>
      paginator.pages(ZarrRecord, "/zarr/", { params: { dandiset: id } }))).pipe(
      Stream.withSpan("DandiApi.listZarrs", { attributes: { dandiset: identifier } })
    ),
  listZarrFiles: (zarrId, prefix) =>
    Stream.unwrap(Effect.map(Ids.zarr(zarrId), (id) =>
      paginator.cursor(ZarrEntryRecord, `/zarr/${id}/files/`, {
        params: { prefix },
        notFound: { resource: "zarr", id: zarrId, message: `No such zarr: ${pyRepr(zarrId)}` }
      }))).pipe(
      Stream.map((entry) => RemoteZarrEntry.fromWire(location.apiUrl, zarrId, entry)),
      Stream.withSpan("DandiApi.listZarrFiles", { attributes: { zarr: zarrId } })
    )
})
