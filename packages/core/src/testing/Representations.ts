/**
 * The JSON shapes of spec §2 (key order included): dandisets, versions, assets, blobs, zarrs,
 * users.
 *
 * @since 0.1.0
 */
import type { Asset, Blob, Dandiset, Env, User, Version, Zarr } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as Metadata from "./Metadata.js"
import * as Time from "./Time.js"

export const activeUploads = (env: Env, dandisetId: string): number =>
  [...env.state.uploads.values()].filter((u) => u.dandisetId === dandisetId).length

const versionCore = (env: Env, version: Version) => ({
  version: version.version,
  name: version.name,
  asset_count: version.assetIds.length,
  size: ArchiveState.versionSize(env.state, version),
  status: version.status,
  created: Time.api(version.created),
  modified: Time.api(version.modified)
})

/** The 7-key nested form of the dandiset list. */
export const versionSummary = (env: Env, version: Version) => versionCore(env, version)

/** The full nested form of the dandiset detail (no `dandiset`). */
export const versionNested = (env: Env, version: Version) => {
  const core = versionCore(env, version)
  return {
    version: core.version,
    name: core.name,
    asset_count: core.asset_count,
    active_uploads: version.version === "draft" ? activeUploads(env, version.dandisetId) : 0,
    size: core.size,
    status: core.status,
    created: core.created,
    modified: core.modified,
    release_notes: version.releaseNotes ?? ""
  }
}

const latestPublished = (dandiset: Dandiset, by: "created" | "modified"): Version | undefined =>
  [...dandiset.published].sort((a, b) => (by === "created" ? b.created - a.created : b.modified - a.modified))[0]

const mostRecentVersion = (dandiset: Dandiset): Version =>
  [dandiset.draft, ...dandiset.published].sort((a, b) => b.created - a.created || b.pk - a.pk)[0]!

export const dandisetScalars = (env: Env, dandiset: Dandiset, user: User | undefined, contactFrom: Version) => ({
  identifier: dandiset.id,
  created: Time.api(dandiset.created),
  modified: Time.api(dandiset.modified),
  contact_person: Metadata.contactPerson(Metadata.renderVersion(env, dandiset, contactFrom)),
  embargo_status: dandiset.embargoStatus,
  star_count: dandiset.stars.size,
  is_starred: user !== undefined && dandiset.stars.has(user.username)
})

export const dandisetListItem = (env: Env, dandiset: Dandiset, user: User | undefined) => {
  const published = latestPublished(dandiset, "created")
  return {
    ...dandisetScalars(env, dandiset, user, published ?? dandiset.draft),
    most_recent_published_version: published === undefined ? null : versionSummary(env, published),
    draft_version: versionSummary(env, dandiset.draft)
  }
}

export const dandisetDetail = (env: Env, dandiset: Dandiset, user: User | undefined) => {
  const published = latestPublished(dandiset, "modified")
  return {
    ...dandisetScalars(env, dandiset, user, mostRecentVersion(dandiset)),
    most_recent_published_version: published === undefined ? null : versionNested(env, published),
    draft_version: versionNested(env, dandiset.draft)
  }
}

export const versionListItem = (env: Env, version: Version, user: User | undefined) => {
  const dandiset = ArchiveState.dandisetOfVersion(env.state, version)
  const n = versionNested(env, version)
  return {
    version: n.version,
    name: n.name,
    asset_count: n.asset_count,
    active_uploads: n.active_uploads,
    size: n.size,
    status: n.status,
    created: n.created,
    modified: n.modified,
    dandiset: dandisetScalars(env, dandiset, user, mostRecentVersion(dandiset)),
    release_notes: n.release_notes
  }
}

const MAX_ASSET_ERRORS = 50

export const assetValidationErrors = (env: Env, version: Version) => {
  const assets = ArchiveState.versionAssets(env.state, version).filter((a) => a.record === undefined)
  const pending = assets.filter((a) => a.status === "Pending" || a.status === "Validating").slice(0, MAX_ASSET_ERRORS)
    .map((a) => ({ field: "", message: "asset is currently being validated, please wait.", path: a.path }))
  const invalid = assets.filter((a) => a.status === "Invalid")
    .sort((a, b) => b.validationErrors.length - a.validationErrors.length)
    .slice(0, MAX_ASSET_ERRORS)
    .flatMap((a) => a.validationErrors.map((e) => ({ field: e.field, message: e.message, path: a.path })))
  return [...pending, ...invalid]
}

export const versionInfo = (env: Env, version: Version, user: User | undefined) => {
  const dandiset = ArchiveState.dandisetOfVersion(env.state, version)
  const metadata = Metadata.renderVersion(env, dandiset, version)
  return {
    ...versionListItem(env, version, user),
    asset_validation_errors: version.version === "draft" ? assetValidationErrors(env, version) : [],
    version_validation_errors: version.validationErrors,
    metadata,
    contact_person: Metadata.contactPerson(metadata)
  }
}

export const assetItem = (env: Env, asset: Asset) => ({
  asset_id: asset.id,
  blob: asset.blobId,
  zarr: asset.zarrId,
  path: asset.path,
  size: ArchiveState.assetSize(env.state, asset),
  created: Time.api(asset.created),
  modified: Time.api(asset.modified)
})

export const assetDetail = (env: Env, asset: Asset) => ({
  ...assetItem(env, asset),
  metadata: Metadata.renderAsset(env, asset)
})

export const blob = (b: Blob) => ({ blob_id: b.id, etag: b.etag, sha256: b.sha256, size: b.size })

export const zarr = (z: Zarr) => ({
  name: z.name,
  dandiset: z.dandisetId,
  zarr_id: z.id,
  status: z.status,
  checksum: z.checksum,
  file_count: z.fileCount,
  size: z.size
})

export const user = (u: User) => ({
  username: u.username,
  name: u.name,
  admin: u.admin,
  status: u.approved ? "APPROVED" : "PENDING"
})

export const owner = (u: User, caller: User | undefined) => ({
  username: u.username,
  name: u.name === "" ? null : u.name,
  email: caller === undefined ? null : (u.email === "" ? null : u.email)
})
