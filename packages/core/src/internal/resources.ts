/**
 * What every per-resource implementation of the facade is built on, and the wording they share.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import type { ApiClientShape } from "../ApiClient.js"
import { AssetRecord } from "../ApiRecords.js"
import { ResponseDecodeError } from "../DandiError.js"
import type { NotFoundContext } from "../HttpErrors.js"
import { displayUrl, excerpt } from "../HttpErrors.js"
import type { PaginatorShape } from "../Paginator.js"
import type { ApiLocation } from "./recordBackend.js"
import { pyRepr } from "./text.js"

/** The services a resource module needs, resolved once when the facade is built. */
export interface Resources {
  readonly client: ApiClientShape
  readonly paginator: PaginatorShape
  readonly location: ApiLocation
}

export const versionNotFound = (identifier: string, versionId: string): NotFoundContext => ({
  resource: "version",
  id: `${identifier}/${versionId}`,
  message: `No such version: ${pyRepr(versionId)} of Dandiset ${identifier}`
})

export const dandisetNotFound = (identifier: string): NotFoundContext => ({
  resource: "dandiset",
  id: identifier,
  message: `No such Dandiset: ${pyRepr(identifier)}`
})

/** An asset record the SDK cannot turn into an asset, as the decode error of the response it came in. */
export const invalidAsset = (url: string, record: AssetRecord, reason: string): ResponseDecodeError =>
  new ResponseDecodeError({
    message: `${reason} (GET ${displayUrl(url)})`,
    method: "GET",
    url: displayUrl(url),
    status: 200,
    excerpt: excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
  })
