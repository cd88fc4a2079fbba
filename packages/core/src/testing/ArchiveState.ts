/**
 * The archive's data model: users, dandisets with their versions, assets, blobs, uploads and
 * zarr archives, all in plain mutable maps. Every request handler mutates it synchronously, so a
 * request is atomic with respect to the background jobs that also edit it.
 *
 * @since 0.1.0
 */
import type { HasherShape } from "../Hasher.js"
import * as ObjectStore from "./ObjectStore.js"

export type VersionStatus = "Pending" | "Validating" | "Valid" | "Invalid" | "Publishing" | "Published"
export type AssetStatus = "Pending" | "Validating" | "Valid" | "Invalid"
export type ZarrStatus = "Pending" | "Uploaded" | "Ingesting" | "Complete"
export type EmbargoStatus = "OPEN" | "EMBARGOED" | "UNEMBARGOING"

export interface ValidationError {
  readonly field: string
  readonly message: string
}

export interface User {
  readonly username: string
  token: string | undefined
  approved: boolean
  admin: boolean
  name: string
  email: string
  readonly seq: number
}

export interface Version {
  /** Internal numeric primary key (shown by `assets/paths/` as `version`). */
  readonly pk: number
  readonly dandisetId: string
  readonly version: string
  name: string
  /** Stored metadata with the computed keys stripped; they are overlaid on read. */
  metadata: Record<string, unknown>
  status: VersionStatus
  readonly created: number
  modified: number
  assetIds: Array<string>
  validationErrors: Array<ValidationError>
  assetsSummary: Record<string, unknown>
  releaseNotes: string | undefined
  doi: string | undefined
  /** Published versions only. */
  publishedAt: number | undefined
  publishActivity: Record<string, unknown> | undefined
  /** A background step may act on this version once the clock reaches this instant. */
  readyAt: number
  pendingReleaseNotes: string | undefined
}

export interface Dandiset {
  readonly id: string
  readonly created: number
  modified: number
  embargoStatus: EmbargoStatus
  embargoEndDate: string | undefined
  owners: Array<string>
  /** username → star sequence number (later stars sort first). */
  readonly stars: Map<string, number>
  readonly draft: Version
  /** Published versions in creation order. */
  readonly published: Array<Version>
  readyAt: number
}

export interface Asset {
  readonly id: string
  readonly blobId: string | null
  readonly zarrId: string | null
  readonly path: string
  /** Client metadata with computed keys stripped. */
  metadata: Record<string, unknown>
  readonly created: number
  modified: number
  status: AssetStatus
  validationErrors: Array<ValidationError>
  /** Set once a published version includes this asset. */
  published: { readonly datePublished: string; readonly publishedBy: Record<string, unknown> } | undefined
  /** A metadata-only asset seeded from a listing record: served verbatim, never downloadable. */
  readonly record: { readonly size: number; readonly metadata: Record<string, unknown> } | undefined
  readonly seq: number
  /** Validation may run once the data is ready and the clock reaches this instant. */
  readyAt: number
}

export interface Blob {
  readonly id: string
  readonly etag: string
  sha256: string | null
  readonly size: number
  readonly key: string
  embargoed: boolean
  readonly created: number
  readyAt: number
}

export interface Upload {
  readonly id: string
  readonly dandisetId: string
  readonly etag: string
  readonly size: number
  readonly key: string
  readonly multipartId: string
  readonly embargoed: boolean
  readonly created: number
}

export interface Zarr {
  readonly id: string
  readonly name: string
  readonly dandisetId: string
  status: ZarrStatus
  checksum: string | null
  fileCount: number
  size: number
  readonly created: number
  readyAt: number
}

export interface State {
  readonly users: Map<string, User>
  readonly dandisets: Map<string, Dandiset>
  readonly assets: Map<string, Asset>
  readonly blobs: Map<string, Blob>
  readonly uploads: Map<string, Upload>
  readonly zarrs: Map<string, Zarr>
  readonly store: ObjectStore.ObjectStore
  /** etag → blob id (etags are unique across the archive). */
  readonly blobsByEtag: Map<string, string>
  /** Blobs whose SHA-256 the background job still has to compute. */
  readonly unhashedBlobs: Set<string>
  /** Assets waiting for validation → the dandiset whose draft they were added to. */
  readonly pendingAssets: Map<string, string>
  counters: { dandiset: number; version: number; seq: number }
}

export const make = (): State => ({
  users: new Map(),
  dandisets: new Map(),
  assets: new Map(),
  blobs: new Map(),
  uploads: new Map(),
  zarrs: new Map(),
  store: ObjectStore.make(),
  blobsByEtag: new Map(),
  unhashedBlobs: new Set(),
  pendingAssets: new Map(),
  counters: { dandiset: 0, version: 0, seq: 0 }
})

export const nextSeq = (state: State): number => ++state.counters.seq

/** Everything a handler needs besides the request. */
export interface Env {
  readonly state: State
  readonly hasher: HasherShape
  readonly apiUrl: string
  readonly storageUrl: string
  readonly webUrl: string
  /** `webUrl` when a web app is really served there; what `/info/` advertises. */
  readonly servedWebUrl: string | undefined
  readonly instanceName: string
  readonly instanceIdentifier: string
  readonly doiPrefix: string
  readonly bucket: string
  /** Delay before each background step may run. */
  readonly stepMillis: number
  readonly signingKey: string
}

/** A random lowercase v4 UUID (test data; not for security). */
export const uuid = (): string => {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("")
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`
}

export const randomHex = (length: number): string =>
  Array.from({ length }, () => Math.floor(Math.random() * 16).toString(16)).join("")

export const blobKey = (blobId: string): string => `blobs/${blobId.slice(0, 3)}/${blobId.slice(3, 6)}/${blobId}`

export const zarrKeyPrefix = (zarrId: string): string => `zarr/${zarrId}/`

export const dandisetOfVersion = (state: State, version: Version): Dandiset => state.dandisets.get(version.dandisetId)!

export const allVersions = (dandiset: Dandiset): Array<Version> => [dandiset.draft, ...dandiset.published]

export const isOwner = (dandiset: Dandiset, user: User | undefined): boolean =>
  user !== undefined && (user.admin || dandiset.owners.includes(user.username))

export const isEmbargoed = (dandiset: Dandiset): boolean => dandiset.embargoStatus !== "OPEN"

/** OPEN, or owned by the caller, or the caller is an admin. */
export const canSee = (dandiset: Dandiset, user: User | undefined): boolean =>
  !isEmbargoed(dandiset) || isOwner(dandiset, user)

export const assetSize = (state: State, asset: Asset): number => {
  if (asset.record !== undefined) return asset.record.size
  if (asset.blobId !== null) return state.blobs.get(asset.blobId)?.size ?? 0
  if (asset.zarrId !== null) return state.zarrs.get(asset.zarrId)?.size ?? 0
  return 0
}

export const versionAssets = (state: State, version: Version): Array<Asset> =>
  version.assetIds.map((id) => state.assets.get(id)).filter((a): a is Asset => a !== undefined)

export const versionSize = (state: State, version: Version): number =>
  versionAssets(state, version).reduce((sum, a) => sum + assetSize(state, a), 0)

/** The draft changed: it must be validated again. */
export const touchDraft = (env: Env, dandiset: Dandiset, now: number): void => {
  dandiset.draft.status = "Pending"
  dandiset.draft.modified = now
  dandiset.draft.readyAt = now + env.stepMillis
}

export const markAssetPending = (state: State, asset: Asset, dandisetId: string, readyAt: number): void => {
  asset.status = "Pending"
  asset.readyAt = readyAt
  state.pendingAssets.set(asset.id, dandisetId)
}

export const addBlob = (state: State, blob: Blob): void => {
  state.blobs.set(blob.id, blob)
  state.blobsByEtag.set(blob.etag, blob.id)
  if (blob.sha256 === null) state.unhashedBlobs.add(blob.id)
}

export const blobByEtag = (state: State, etag: string): Blob | undefined => {
  const id = state.blobsByEtag.get(etag)
  return id === undefined ? undefined : state.blobs.get(id)
}

/** Makes a blob (and its stored object) public, as unembargo and dedup into OPEN data do. */
export const releaseBlob = (state: State, blobId: string): void => {
  const blob = state.blobs.get(blobId)
  if (blob === undefined) return
  blob.embargoed = false
  const object = state.store.objects.get(blob.key)
  if (object !== undefined) object.embargoed = false
}

export const findUserByToken = (state: State, token: string): User | undefined => {
  for (const user of state.users.values()) if (user.token === token) return user
  return undefined
}

export const zarrsOfDandiset = (state: State, dandisetId: string): Array<Zarr> =>
  [...state.zarrs.values()].filter((z) => z.dandisetId === dandisetId)
