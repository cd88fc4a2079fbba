/**
 * Server-computed metadata (spec §2.5, §2.8): what is stripped from client documents on write and
 * overlaid on read, so client-supplied values for computed keys never survive.
 *
 * @since 0.1.0
 */
import { isRecord } from "effect/Predicate"
import type { Asset, Dandiset, Env, State, Version } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as Time from "./Time.js"

export const SCHEMA_VERSION = "0.7.0"

const contextUrl = (schemaVersion: unknown) =>
  `https://raw.githubusercontent.com/dandi/schema/master/releases/${
    typeof schemaVersion === "string" ? schemaVersion : SCHEMA_VERSION
  }/context.json`

const VERSION_COMPUTED = [
  "name",
  "identifier",
  "version",
  "id",
  "url",
  "repository",
  "assetsSummary",
  "citation",
  "doi",
  "dateCreated",
  "datePublished",
  "publishedBy",
  "manifestLocation",
  "releaseNotes",
  "@context"
]


export const zeroSummary = (): Record<string, unknown> => ({
  schemaKey: "AssetsSummary",
  numberOfBytes: 0,
  numberOfFiles: 0
})

/** The keys `Version.strip_metadata` drops before comparing documents (models/version.py). */
const VERSION_STRIPPED_FOR_COMPARISON = VERSION_COMPUTED.filter((key) => key !== "repository" && key !== "@context")

/**
 * A version document as the server compares it on PUT: computed keys dropped except `@context`
 * and `repository` (stored populated, so a client that omits them changes the document), and
 * the first access item without `schemaKey` and `status`.
 */
export const versionForComparison = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...metadata }
  for (const key of VERSION_STRIPPED_FOR_COMPARISON) delete out[key]
  if (Array.isArray(out.access) && isRecord(out.access[0])) {
    const { schemaKey: _k, status: _s, ...rest } = out.access[0]
    out.access = [rest, ...out.access.slice(1)]
  }
  return out
}

/** The client document minus computed keys, with `schemaVersion` defaulted. */
export const stripVersion = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...metadata }
  for (const key of VERSION_COMPUTED) delete out[key]
  if (Array.isArray(out.access) && isRecord(out.access[0])) {
    // embargoedUntil is re-derived from the dandiset's embargo end date on read.
    const { schemaKey: _k, status: _s, embargoedUntil: _u, ...rest } = out.access[0]
    const access = [rest, ...out.access.slice(1)]
    if (access.length === 1 && Object.keys(rest).length === 0) delete out.access
    else out.access = access
  } else if (out.access !== undefined) {
    delete out.access
  }
  if (out.schemaVersion === undefined) out.schemaVersion = SCHEMA_VERSION
  return out
}

/** Key-order-insensitive JSON, to detect a no-op PUT. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v)

const contributors = (metadata: Record<string, unknown>): Array<Record<string, unknown>> =>
  Array.isArray(metadata.contributor) ? metadata.contributor.filter(isRecord) : []

/** The first contact person's name, or `""`. */
export const contactPerson = (metadata: Record<string, unknown>): string => {
  if (!Array.isArray(metadata.contributor)) return ""
  for (const c of contributors(metadata)) {
    if (Array.isArray(c.roleName) && c.roleName.includes("dcite:ContactPerson")) {
      return typeof c.name === "string" ? c.name : ""
    }
  }
  return ""
}

const webVersionUrl = (env: Env, dandiset: Dandiset, version: Version) =>
  `${env.webUrl}/dandiset/${dandiset.id}/${version.version}`

export const renderVersion = (env: Env, dandiset: Dandiset, version: Version): Record<string, unknown> => {
  const md: Record<string, unknown> = { ...version.metadata }
  const url = webVersionUrl(env, dandiset, version)
  const embargoed = ArchiveState.isEmbargoed(dandiset)
  const access0 = Array.isArray(md.access) && isRecord(md.access[0]) ? md.access[0] : {}
  const access: Record<string, unknown> = {
    ...access0,
    schemaKey: "AccessRequirements",
    status: embargoed ? "dandi:EmbargoedAccess" : "dandi:OpenAccess"
  }
  if (dandiset.embargoEndDate !== undefined) access.embargoedUntil = dandiset.embargoEndDate
  const year = new Date(version.modified).getUTCFullYear()
  const names = contributors(md).filter((c) => c.includeInCitation === true && typeof c.name === "string")
    .map((c) => c.name as string)
  // Version.citation strips trailing dots from the name in both forms (models/version.py)
  const title = version.name.replace(/\.+$/, "")
  const citeUrl = version.doi !== undefined ? `https://doi.org/${version.doi}` : url
  const citation = names.length > 0
    ? `${names.join("; ")} (${year}) ${title} (Version ${version.version}) [Data set]. DANDI Archive. ${citeUrl}`
    : `${title} (${year}). (Version ${version.version}) [Data set]. DANDI Archive. ${citeUrl}`
  const out: Record<string, unknown> = {
    ...md,
    name: version.name,
    "@context": contextUrl(md.schemaVersion),
    manifestLocation: [
      version.version === "draft"
        ? `${env.apiUrl}/dandisets/${dandiset.id}/versions/draft/assets/`
        : `${env.storageUrl}/${env.bucket}/dandisets/${dandiset.id}/${version.version}/assets.yaml`
    ],
    identifier: `${env.instanceName}:${dandiset.id}`,
    version: version.version,
    id: `${env.instanceName}:${dandiset.id}/${version.version}`,
    repository: env.webUrl,
    url,
    dateCreated: Time.metadata(dandiset.created),
    access: [access, ...(Array.isArray(md.access) ? md.access.slice(1) : [])],
    assetsSummary: version.assetsSummary,
    citation
  }
  if (version.doi !== undefined) out.doi = version.doi
  if (version.publishActivity !== undefined) out.publishedBy = version.publishActivity
  if (version.publishedAt !== undefined) out.datePublished = Time.metadata(version.publishedAt)
  if (version.releaseNotes !== undefined) out.releaseNotes = version.releaseNotes
  return out
}

const ASSET_COMPUTED = [
  "id",
  "access",
  "path",
  "identifier",
  "contentUrl",
  "contentSize",
  "digest",
  "datePublished",
  "publishedBy"
]

/**
 * The client's asset document minus the server's computed keys (models/asset.py
 * ASSET_COMPUTED_FIELDS). `@context` is not among them: the server stores a client's `@context`
 * (and overwrites it on read), so adding one changes the asset.
 */
export const stripAsset = (metadata: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...metadata }
  for (const key of ASSET_COMPUTED) delete out[key]
  if (out.schemaVersion === undefined) out.schemaVersion = SCHEMA_VERSION
  return out
}

export const blobUrl = (env: Env, blobId: string): string =>
  `${env.storageUrl}/${env.bucket}/${ArchiveState.blobKey(blobId)}`

export const zarrUrl = (env: Env, zarrId: string): string =>
  `${env.storageUrl}/${env.bucket}/${ArchiveState.zarrKeyPrefix(zarrId)}`

/** Earliest embargo end across the dandisets containing the asset's data. */
const embargoOf = (state: State, asset: Asset): { embargoed: boolean; until: string | undefined } => {
  if (asset.zarrId !== null) {
    const zarr = state.zarrs.get(asset.zarrId)
    const dandiset = zarr === undefined ? undefined : state.dandisets.get(zarr.dandisetId)
    return { embargoed: dandiset !== undefined && ArchiveState.isEmbargoed(dandiset), until: dandiset?.embargoEndDate }
  }
  const blob = asset.blobId === null ? undefined : state.blobs.get(asset.blobId)
  if (blob === undefined || !blob.embargoed) return { embargoed: false, until: undefined }
  const dates = [...state.dandisets.values()]
    .filter((d) => ArchiveState.allVersions(d).some((v) => v.assetIds.some((id) => state.assets.get(id)?.blobId === blob.id)))
    .map((d) => d.embargoEndDate)
    .filter((d): d is string => d !== undefined)
    .sort()
  return { embargoed: true, until: dates[0] }
}

export const renderAsset = (env: Env, asset: Asset): Record<string, unknown> => {
  if (asset.record !== undefined) return asset.record.metadata
  const state = env.state
  const md: Record<string, unknown> = { ...asset.metadata }
  const embargo = embargoOf(state, asset)
  const access: Record<string, unknown> = {
    schemaKey: "AccessRequirements",
    status: embargo.embargoed ? "dandi:EmbargoedAccess" : "dandi:OpenAccess"
  }
  if (embargo.embargoed && embargo.until !== undefined) access.embargoedUntil = embargo.until
  let digest: Record<string, unknown> = {}
  let storeUrl = ""
  if (asset.blobId !== null) {
    const blob = state.blobs.get(asset.blobId)
    digest = { "dandi:dandi-etag": blob?.etag ?? null }
    if (blob?.sha256 !== null && blob?.sha256 !== undefined) digest["dandi:sha2-256"] = blob.sha256
    storeUrl = blobUrl(env, asset.blobId)
  } else if (asset.zarrId !== null) {
    const zarr = state.zarrs.get(asset.zarrId)
    digest = { "dandi:dandi-zarr-checksum": zarr?.checksum ?? null }
    md.encodingFormat = "application/x-zarr"
    storeUrl = zarrUrl(env, asset.zarrId)
  }
  const out: Record<string, unknown> = {
    ...md,
    id: `dandiasset:${asset.id}`,
    access: [access],
    path: asset.path,
    identifier: asset.id,
    contentUrl: [`${env.apiUrl}/assets/${asset.id}/download/`, storeUrl],
    contentSize: ArchiveState.assetSize(state, asset),
    digest,
    "@context": contextUrl(md.schemaVersion)
  }
  if (asset.published !== undefined) {
    out.datePublished = asset.published.datePublished
    out.publishedBy = asset.published.publishedBy
  }
  return out
}

/** Recomputed from the version's `Valid` assets (seeded record assets count as valid). */
export const summarise = (env: Env, version: Version): Record<string, unknown> => {
  const state = env.state
  const assets = ArchiveState.versionAssets(state, version).filter((a) => a.status === "Valid" || a.record !== undefined)
  const species = new Map<string, unknown>()
  const approach = new Map<string, unknown>()
  const technique = new Map<string, unknown>()
  const variables = new Set<string>()
  const standards = new Map<string, unknown>()
  for (const asset of assets) {
    const md = renderAsset(env, asset)
    for (const a of Array.isArray(md.wasAttributedTo) ? md.wasAttributedTo.filter(isRecord) : []) {
      if (isRecord(a.species) && typeof a.species.name === "string") species.set(a.species.name, a.species)
    }
    for (const g of Array.isArray(md.wasGeneratedBy) ? md.wasGeneratedBy.filter(isRecord) : []) {
      for (const t of Array.isArray(g.measurementTechnique) ? g.measurementTechnique.filter(isRecord) : []) {
        if (typeof t.name === "string") technique.set(t.name, t)
      }
    }
    for (const t of Array.isArray(md.measurementTechnique) ? md.measurementTechnique.filter(isRecord) : []) {
      if (typeof t.name === "string") technique.set(t.name, t)
    }
    for (const t of Array.isArray(md.approach) ? md.approach.filter(isRecord) : []) {
      if (typeof t.name === "string") approach.set(t.name, t)
    }
    for (const v of Array.isArray(md.variableMeasured) ? md.variableMeasured : []) {
      if (isRecord(v) && typeof v.value === "string") variables.add(v.value)
      else if (typeof v === "string") variables.add(v)
    }
    if (md.encodingFormat === "application/x-nwb") {
      standards.set("NWB", { schemaKey: "StandardsType", name: "Neurodata Without Borders (NWB)", identifier: "RRID:SCR_015242" })
    }
  }
  const out: Record<string, unknown> = {
    schemaKey: "AssetsSummary",
    numberOfBytes: assets.reduce((sum, a) => sum + ArchiveState.assetSize(state, a), 0),
    numberOfFiles: assets.length
  }
  if (standards.size > 0) out.dataStandard = [...standards.values()]
  if (species.size > 0) out.species = [...species.values()]
  if (approach.size > 0) out.approach = [...approach.values()]
  if (technique.size > 0) out.measurementTechnique = [...technique.values()]
  if (variables.size > 0) out.variableMeasured = [...variables]
  return out
}
