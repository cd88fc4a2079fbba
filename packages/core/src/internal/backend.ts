/**
 * The `RecordBackend` over one ApiClient and Paginator: the union of the per-resource wire
 * operations. The facade (`DandiApi.make`) builds one and hands it to every record it makes; the
 * Uploader and ZarrTransfers build one the same way for the assets they answer with.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Assets from "./assets.js"
import * as Dandisets from "./dandisets.js"
import type { RecordBackend } from "./recordBackend.js"
import type { Resources } from "./resources.js"
import * as Server from "./server.js"
import * as Versions from "./versions.js"
import * as Writes from "./writes.js"
import * as Zarr from "./zarr.js"

export const make = (resources: Resources): RecordBackend => ({
  // Compared by value: records of one archive are Equal whichever service made them.
  location: Data.struct({ ...resources.location }),
  ...Dandisets.wire(resources),
  ...Versions.make(resources),
  ...Assets.wire(resources),
  ...Zarr.wire(resources),
  resolveRedirects: Server.make(resources).resolveRedirects,
  ...Writes.wire(resources.client, resources.paginator)
})
