/**
 * Zarr archives: a dandiset's zarrs and the files of one zarr (cursor pagination), as records
 * call them, and the facade's `listZarrFiles`, which makes the entries.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ZarrEntryRecord, ZarrRecord } from "../ApiRecords.js"
import { RemoteZarrEntry } from "../RemoteZarrEntry.js"
import type { RecordOperations } from "./dandiApiService.js"
import * as Ids from "./ids.js"
import type { RecordBackend } from "./recordBackend.js"
import type { Resources } from "./resources.js"
import { pyRepr } from "./text.js"

export type ZarrWire = Pick<RecordBackend, "listZarrs" | "listZarrFiles">

export type ZarrOperations = Pick<RecordOperations, "listZarrFiles">

export const wire = ({ paginator }: Resources): ZarrWire => ({
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
      }))).pipe(Stream.withSpan("DandiApi.listZarrFiles", { attributes: { zarr: zarrId } }))
})

export const make = (backend: RecordBackend): ZarrOperations => ({
  listZarrFiles: (zarrId, prefix) =>
    backend.listZarrFiles(zarrId, prefix).pipe(
      Stream.map((entry) => RemoteZarrEntry.fromWire(backend.location.apiUrl, zarrId, entry))
    )
})
