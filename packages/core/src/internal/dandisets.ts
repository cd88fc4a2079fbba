/**
 * Dandisets: listing, search, one dandiset (at a version), owners.
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
  RecordOperations,
  SearchDandisetsOptions
} from "./dandiApiService.js"
import * as Ids from "./ids.js"
import type { Resources } from "./resources.js"
import { dandisetNotFound } from "./resources.js"
import { pyRepr } from "./text.js"
import type { VersionOperations } from "./versions.js"

export type DandisetOperations =
  & Pick<ClientOperations, "getDandisets" | "getDandiset" | "searchDandisets">
  & Pick<RecordOperations, "fetchDandiset" | "fetchOwners">

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

export const make = (
  { client, location, paginator }: Resources,
  versions: VersionOperations
): DandisetOperations => {
  const fetchDandiset = Effect.fn("DandiApi.fetchDandiset")(function*(identifier: string, notFoundMessage?: string) {
    const id = yield* Ids.dandiset(identifier)
    return yield* client.json(DandisetRecord, "GET", `/dandisets/${id}/`, {
      notFound: {
        resource: "dandiset",
        id: identifier,
        message: notFoundMessage ??
          `No such Dandiset: ${pyRepr(identifier)}. Verify the Dandiset ID is correct and that you have access. `
      }
    })
  })

  const getDandiset = Effect.fn("DandiApi.getDandiset")(
    function*(identifier: string, version?: string, options?: GetDandisetOptions) {
      if (options?.lazy === true) return RemoteDandiset.lazy(location, yield* Ids.dandiset(identifier), version)
      const dandiset = RemoteDandiset.fromData(location, yield* fetchDandiset(identifier))
      if (version === undefined || Option.contains(dandiset.versionIdHint, version)) return dandiset
      const draft = Option.flatMap(dandiset.data, (d) => Option.fromNullable(d.draft_version))
      if (version === "draft" && Option.isSome(draft)) return dandiset.atVersion(Version.fromRecord(draft.value))
      const info = yield* versions.fetchVersionInfo(identifier, version)
      return dandiset.atVersion(info.version)
    }
  )

  return {
    getDandisets: (options: GetDandisetsOptions = {}) =>
      paginator.pages(DandisetRecord, "/dandisets/", { params: listingParams(options) }).pipe(
        Stream.map((record) => RemoteDandiset.fromData(location, record)),
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
          dandiset: RemoteDandiset.fromData(location, record),
          assetCounts: record.asset_counts,
          record
        })),
        Stream.withSpan("DandiApi.searchDandisets")
      ),
    fetchDandiset,
    fetchOwners: Effect.fn("DandiApi.fetchOwners")(function*(identifier: string) {
      const id = yield* Ids.dandiset(identifier)
      return yield* client.json(Schema.Array(OwnerRecord), "GET", `/dandisets/${id}/users/`, {
        notFound: dandisetNotFound(identifier)
      })
    })
  }
}
