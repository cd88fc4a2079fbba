/**
 * The `encodingFormat` an asset gets when its metadata has none: the archive validates an asset
 * only with one. The MIME type comes from the file name through the `mime` package (the
 * mime-db tables, platform-free), plus NWB, which the tables do not know.
 *
 * @internal
 */
import { Mime } from "mime/lite"
import otherTypes from "mime/types/other.js"
import standardTypes from "mime/types/standard.js"

/** dandi-cli's type for NWB files; everything it cannot name is `application/octet-stream`. */
export const NWB = "application/x-nwb"
export const FALLBACK = "application/octet-stream"

const mime = new Mime(standardTypes, otherTypes).define({ [NWB]: ["nwb"] }, true)

/** The MIME type for an asset path, from its extension (case-insensitive). */
export const fromPath = (path: string): string => mime.getType(path) ?? FALLBACK
