/**
 * Dandisets: one dandiset's record and owners (what records call), and the facade's listing,
 * search and `getDandiset`, which hand the backend to every RemoteDandiset they make.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { QueryParams } from "../ApiClient.js"
import { DandisetRecord, OwnerRecord, SearchDandisetRecord } from "../ApiRecords.js"
import { RemoteDandiset } from "../RemoteDandiset.js"
import { Version } from "../Version.js"
import type {
  ClientOperations,
  DandisetSearchResult,
  GetDandisetOptions,
  GetDandisetsOptions,
  SearchDandisetsOptions
} from "./dandiApiService.js"
import * as Ids from "./ids.js"
import type { RecordBackend } from "./recordBackend.js"
import type { Resources } from "./resources.js"
import { dandisetNotFound } from "./resources.js"
import { pyRepr } from "./text.js"

export type DandisetWire = Pick<RecordBackend, "fetchDandiset" | "fetchOwners">

export type DandisetOperations = Pick<ClientOperations, "getDandisets" | "getDandiset" | "searchDandisets">

/** dandi-cli sends filter booleans as Python spells them; the server accepts any case. */
const pyBool = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : value ? "True" : "False"

const listingParams = (options: GetDandisetsOptions): QueryParams => ({
  draft: pyBool(options.draft),
  embargoed: pyBool(options.embargoed),
  empty: pyBool(options.empty),
  starred: pyBool(options.starred),
  // `/dandisets/` calls it `ordering`; versions and assets call it `order` (spec §12.2).
  ordering: options.order,
  search: options.search,
  user: options.mine === true ? "me" : undefined
})

export const wire = ({ client }: Resources): DandisetWire => ({
  fetchDandiset: Effect.fn("DandiApi.fetchDandiset")(function*(identifier: string, notFoundMessage?: string) {
    const id = yield* Ids.dandiset(identifier)
    return yield* client.json(DandisetRecord, "GET", `/dandisets/${id}/`, {
      notFound: {
        resource: "dandiset",
        id: identifier,
        message: notFoundMessage ??
          `No such Dandiset: ${pyRepr(identifier)}. Verify the Dandiset ID is correct and that you have access. `
      }
    })
  }),
  fetchOwners: Effect.fn("DandiApi.fetchOwners")(function*(identifier: string) {
    const id = yield* Ids.dandiset(identifier)
    return yield* client.json(Schema.Array(OwnerRecord), "GET", `/dandisets/${id}/users/`, {
      notFound: dandisetNotFound(identifier)
    })
  })
})

export const make = ({ paginator }: Resources, backend: RecordBackend): DandisetOperations => {
  const getDandiset = Effect.fn("DandiApi.getDandiset")(
    function*(identifier: string, version?: string, options?: GetDandisetOptions) {
      if (options?.lazy === true) return RemoteDandiset.lazy(backend, yield* Ids.dandiset(identifier), version)
      const dandiset = RemoteDandiset.fromData(backend, yield* backend.fetchDandiset(identifier))
      if (version === undefined || Option.contains(dandiset.versionIdHint, version)) return dandiset
      const draft = Option.flatMap(dandiset.data, (d) => Option.fromNullable(d.draft_version))
      if (version === "draft" && Option.isSome(draft)) return dandiset.atVersion(Version.fromRecord(draft.value))
      const info = yield* backend.fetchVersionInfo(identifier, version)
      return dandiset.atVersion(info.version)
    }
  )

  return {
    getDandisets: (options: GetDandisetsOptions = {}) =>
      paginator.pages(DandisetRecord, "/dandisets/", { params: listingParams(options) }).pipe(
        Stream.map((record) => RemoteDandiset.fromData(backend, record)),
        Stream.withSpan("DandiApi.getDandisets")
      ),
    getDandiset,
    searchDandisets: (options: SearchDandisetsOptions = {}) =>
      paginator.pages(SearchDandisetRecord, "/dandisets/search/", {
        params: {
          ...listingParams(options),
          file_type: options.fileType,
          file_size_min: options.fileSizeMin,
          file_size_max: options.fileSizeMax,
          measurement_technique: options.measurementTechnique,
          genotype: options.genotype,
          species: options.species
        }
      }).pipe(
        Stream.map((record): DandisetSearchResult => ({
          dandiset: RemoteDandiset.fromData(backend, record),
          assetCounts: record.asset_counts,
          record
        })),
        Stream.withSpan("DandiApi.searchDandisets")
      )
  }
}
