/**
 * A compact stand-in for dandischema's publishability checks: the required fields of a
 * publishable Dandiset and Asset, reported in the archive's `{field, message}` shapes.
 *
 * @since 0.1.0
 */
import type { Asset, Env, ValidationError } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import { isRecord } from "effect/Predicate"
import * as Metadata from "./Metadata.js"


const required = (md: Record<string, unknown>, key: string): Array<ValidationError> =>
  md[key] === undefined || md[key] === null ? [{ field: "", message: `'${key}' is a required property` }] : []

export const validateVersion = (md: Record<string, unknown>): Array<ValidationError> => {
  const errors: Array<ValidationError> = [
    ...required(md, "description"),
    ...required(md, "license"),
    ...required(md, "contributor")
  ]
  if (typeof md.name === "string" && md.name.trim() === "") {
    errors.push({ field: "name", message: "String should have at least 1 character" })
  }
  if (typeof md.description === "string" && md.description.trim() === "") {
    errors.push({ field: "description", message: "String should have at least 1 character" })
  }
  if (md.license !== undefined && (!Array.isArray(md.license) || md.license.length === 0)) {
    errors.push({ field: "license", message: "[] should be non-empty" })
  }
  if (md.contributor !== undefined) {
    const contributors = Array.isArray(md.contributor) ? md.contributor.filter(isRecord) : []
    const contact = contributors.some((c) => Array.isArray(c.roleName) && c.roleName.includes("dcite:ContactPerson"))
    if (!contact) {
      errors.push({ field: "contributor", message: "At least one contributor must have role ContactPerson" })
    }
  }
  return errors
}

/**
 * Errors of a draft as the server finds them: the metadata's schema errors first; only a draft
 * that passes them is then held to dandischema's `assetsSummary` rule, which refuses a draft with
 * no assets or none with bytes (dandiapi services/metadata `validate_version_metadata`; server
 * tests test_tasks.py::test_validate_version_metadata_no_assets, ::…_empty_zarr_asset).
 */
export const validateDraft = (env: Env, metadata: Record<string, unknown>, assets: ReadonlyArray<Asset>): Array<ValidationError> => {
  const errors = validateVersion(metadata)
  if (errors.length > 0) return errors
  const hasBytes = assets.some((asset) => ArchiveState.assetSize(env.state, asset) > 0)
  if (assets.length === 0 || !hasBytes) {
    return [{ field: "assetsSummary", message: "Value error, A Dandiset containing no files or zero bytes is not publishable" }]
  }
  return []
}

/** Errors of an asset whose data is ready (blob hashed, zarr ingested). */
export const validateAsset = (env: Env, asset: Asset): Array<ValidationError> => {
  const md = Metadata.renderAsset(env, asset)
  const errors: Array<ValidationError> = [...required(md, "encodingFormat")]
  if (md.schemaKey !== undefined && md.schemaKey !== "Asset") {
    errors.push({ field: "schemaKey", message: `Input should be 'Asset'` })
  }
  if (asset.zarrId !== null) {
    const zarr = env.state.zarrs.get(asset.zarrId)
    if (zarr !== undefined && zarr.checksum !== null && zarr.fileCount === 0) {
      errors.push({ field: "contentSize", message: "Zarr archives must contain at least one file" })
    }
  }
  return errors
}

/** Whether the asset's data is ready to be validated. */
export const assetReady = (env: Env, asset: Asset): boolean => {
  if (asset.blobId !== null) return env.state.blobs.get(asset.blobId)?.sha256 != null
  if (asset.zarrId !== null) return env.state.zarrs.get(asset.zarrId)?.status === "Complete"
  return true
}
