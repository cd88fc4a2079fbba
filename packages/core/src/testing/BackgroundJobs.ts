/**
 * The archive's asynchronous work as one state-machine step function: SHA-256 of new blobs, zarr
 * ingestion (Uploaded → Ingesting → Complete), asset and version validation (Pending →
 * Validating → Valid | Invalid, with the assets summary), publication and unembargo. A scoped
 * fiber calls it on the Effect clock; every transition waits until its entity's `readyAt`, so
 * intermediate states stay observable for at least one step. `force` ignores `readyAt`, which is
 * how `runBackgroundJobs` drains everything at once.
 *
 * @since 0.1.0
 */
import type { Dandiset, Env } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as Metadata from "./Metadata.js"
import * as ObjectStore from "./ObjectStore.js"
import * as ServerDigests from "./ServerDigests.js"
import * as Time from "./Time.js"
import * as Utf8 from "./Utf8.js"
import * as Validation from "./Validation.js"

/**
 * The published version's manifests in the store, where `manifestLocation` points. JSON is valid
 * YAML, so the `.yaml` files hold the same JSON documents as the `.jsonld` ones.
 */
const writeManifests = (env: Env, dandiset: Dandiset, version: ArchiveState.Version, now: number): void => {
  const assets = ArchiveState.versionAssets(env.state, version).map((a) => Metadata.renderAsset(env, a))
  const dandisetMetadata = Metadata.renderVersion(env, dandiset, version)
  const prefix = `dandisets/${dandiset.id}/${version.version}/`
  for (const [name, value] of [
    ["assets.yaml", assets],
    ["assets.jsonld", assets],
    ["dandiset.yaml", dandisetMetadata],
    ["dandiset.jsonld", dandisetMetadata]
  ] as const) {
    const bytes = Utf8.encode(JSON.stringify(value, null, 1))
    ObjectStore.put(env.state.store, {
      key: prefix + name,
      content: { _tag: "Bytes", bytes },
      etag: ServerDigests.md5Hex(env.hasher, bytes),
      lastModified: now,
      contentType: name.endsWith(".yaml") ? "application/x-yaml" : "application/ld+json",
      embargoed: false
    })
  }
}

/** Creates the published version now (steps 1–5 of spec §4.3). */
export const publishNow = (env: Env, dandiset: Dandiset, now: number): string => {
  const state = env.state
  const draft = dandiset.draft
  let at = now
  let id = Time.publishedVersion(at)
  while (dandiset.published.some((v) => v.version === id)) {
    at += 60_000
    id = Time.publishedVersion(at)
  }
  const activity: Record<string, unknown> = {
    id: `urn:uuid:${ArchiveState.uuid()}`,
    name: "DANDI publish",
    startDate: Time.metadata(now),
    endDate: Time.metadata(now),
    wasAssociatedWith: [{
      id: `urn:uuid:${ArchiveState.uuid()}`,
      identifier: env.instanceIdentifier,
      name: `${env.instanceName} API`,
      version: "0.1.0",
      schemaKey: "Software"
    }],
    schemaKey: "PublishActivity"
  }
  for (const asset of ArchiveState.versionAssets(state, draft)) {
    if (asset.published === undefined) asset.published = { datePublished: Time.metadata(now), publishedBy: activity }
  }
  const version: ArchiveState.Version = {
    pk: ++state.counters.version,
    dandisetId: dandiset.id,
    version: id,
    name: draft.name,
    metadata: { ...draft.metadata },
    status: "Valid",
    created: now,
    modified: now,
    assetIds: [...draft.assetIds],
    validationErrors: [],
    assetsSummary: Metadata.zeroSummary(),
    releaseNotes: draft.pendingReleaseNotes,
    doi: `${env.doiPrefix}/${env.instanceName.toLowerCase()}.${dandiset.id}/${id}`,
    publishedAt: now,
    publishActivity: activity,
    readyAt: now,
    pendingReleaseNotes: undefined
  }
  version.assetsSummary = Metadata.summarise(env, version)
  dandiset.published.push(version)
  writeManifests(env, dandiset, version, now)
  draft.assetsSummary = version.assetsSummary
  draft.pendingReleaseNotes = undefined
  draft.status = "Published"
  draft.modified = now
  return id
}

/** Validates every pending asset whose data is ready; returns the dandisets whose drafts changed. */
const validatePendingAssets = (env: Env, now: number, force: boolean): Set<string> => {
  const touched = new Set<string>()
  for (const [assetId, dandisetId] of [...env.state.pendingAssets]) {
    const asset = env.state.assets.get(assetId)
    if (asset === undefined || asset.status !== "Pending" || asset.record !== undefined || asset.published !== undefined) {
      env.state.pendingAssets.delete(assetId)
      continue
    }
    if (!Validation.assetReady(env, asset) || (!force && asset.readyAt > now)) continue
    asset.validationErrors = Validation.validateAsset(env, asset)
    asset.status = asset.validationErrors.length === 0 ? "Valid" : "Invalid"
    env.state.pendingAssets.delete(assetId)
    touched.add(dandisetId)
  }
  return touched
}

const validateDraft = (env: Env, dandiset: Dandiset, now: number): void => {
  const draft = dandiset.draft
  draft.assetsSummary = Metadata.summarise(env, draft)
  draft.validationErrors = Validation.validateDraft(
    env,
    Metadata.renderVersion(env, dandiset, draft),
    ArchiveState.versionAssets(env.state, draft)
  )
  draft.status = draft.validationErrors.length === 0 ? "Valid" : "Invalid"
  draft.modified = now
}

const ingestZarr = (env: Env, zarr: ArchiveState.Zarr, now: number): void => {
  const prefix = ArchiveState.zarrKeyPrefix(zarr.id)
  const files = ObjectStore.keysWithPrefix(env.state.store, prefix).map((key) => {
    const object = env.state.store.objects.get(key)!
    return [key.slice(prefix.length), { md5: object.etag, size: object.size }] as const
  })
  zarr.checksum = ServerDigests.zarrChecksum(env.hasher, files)
  zarr.fileCount = files.length
  zarr.size = files.reduce((sum, [, f]) => sum + f.size, 0)
  zarr.status = "Complete"
  const dandiset = env.state.dandisets.get(zarr.dandisetId)
  if (dandiset === undefined) return
  for (const asset of ArchiveState.versionAssets(env.state, dandiset.draft)) {
    if (asset.zarrId === zarr.id && asset.published === undefined) ArchiveState.markAssetPending(env.state, asset, dandiset.id, now)
  }
  ArchiveState.touchDraft(env, dandiset, now)
}

/** One pass over every state machine; true when anything changed. */
export const step = (env: Env, now: number, force: boolean): boolean => {
  const state = env.state
  const due = (readyAt: number) => force || readyAt <= now
  let changed = false
  for (const blobId of [...state.unhashedBlobs]) {
    const blob = state.blobs.get(blobId)
    if (blob === undefined || blob.sha256 !== null) {
      state.unhashedBlobs.delete(blobId)
      continue
    }
    if (due(blob.readyAt)) {
      const object = state.store.objects.get(blob.key)
      if (object !== undefined) {
        blob.sha256 = ObjectStore.digestOf(env.hasher, "sha256", object.content)
        state.unhashedBlobs.delete(blobId)
      } else blob.readyAt = Number.POSITIVE_INFINITY
      changed = true
    }
  }
  for (const zarr of state.zarrs.values()) {
    if (zarr.status === "Uploaded" && due(zarr.readyAt)) {
      zarr.status = "Ingesting"
      zarr.readyAt = now + env.stepMillis
      changed = true
    } else if (zarr.status === "Ingesting" && due(zarr.readyAt)) {
      ingestZarr(env, zarr, now)
      changed = true
    }
  }
  const validatedFor = validatePendingAssets(env, now, force)
  if (validatedFor.size > 0) changed = true
  for (const dandiset of state.dandisets.values()) {
    if (dandiset.embargoStatus === "UNEMBARGOING" && due(dandiset.readyAt)) {
      dandiset.embargoStatus = "OPEN"
      dandiset.embargoEndDate = Time.date(now)
      for (const zarr of ArchiveState.zarrsOfDandiset(state, dandiset.id)) {
        for (const key of ObjectStore.keysWithPrefix(state.store, ArchiveState.zarrKeyPrefix(zarr.id))) {
          state.store.objects.get(key)!.embargoed = false
        }
      }
      for (const asset of ArchiveState.versionAssets(state, dandiset.draft)) {
        if (asset.blobId !== null) ArchiveState.releaseBlob(state, asset.blobId)
        if (asset.published === undefined && asset.record === undefined) {
          ArchiveState.markAssetPending(state, asset, dandiset.id, now)
        }
      }
      ArchiveState.touchDraft(env, dandiset, now)
      changed = true
    }
    if (validatedFor.has(dandiset.id)) {
      dandiset.draft.assetsSummary = Metadata.summarise(env, dandiset.draft)
      dandiset.draft.modified = now
      changed = true
    }
    const draft = dandiset.draft
    if (draft.status === "Pending" && due(draft.readyAt)) {
      if (force) validateDraft(env, dandiset, now)
      else {
        draft.status = "Validating"
        draft.readyAt = now + env.stepMillis
      }
      changed = true
    } else if (draft.status === "Validating" && due(draft.readyAt)) {
      validateDraft(env, dandiset, now)
      changed = true
    } else if (draft.status === "Publishing" && due(draft.readyAt)) {
      publishNow(env, dandiset, now)
      changed = true
    }
  }
  return changed
}

/** The earliest instant at which some step has work to do, if any. */
export const nextDue = (env: Env): number | undefined => {
  const state = env.state
  let due = Number.POSITIVE_INFINITY
  const consider = (t: number) => {
    if (t < due) due = t
  }
  for (const blobId of state.unhashedBlobs) consider(state.blobs.get(blobId)?.readyAt ?? Number.POSITIVE_INFINITY)
  for (const zarr of state.zarrs.values()) {
    if (zarr.status === "Uploaded" || zarr.status === "Ingesting") consider(zarr.readyAt)
  }
  for (const dandiset of state.dandisets.values()) {
    if (dandiset.embargoStatus === "UNEMBARGOING") consider(dandiset.readyAt)
    const status = dandiset.draft.status
    if (status === "Pending" || status === "Validating" || status === "Publishing") consider(dandiset.draft.readyAt)
  }
  for (const assetId of [...state.pendingAssets.keys()]) {
    const asset = state.assets.get(assetId)
    // Entries of assets validated elsewhere (or seeded as records) are just forgotten.
    if (asset === undefined || asset.status !== "Pending") state.pendingAssets.delete(assetId)
    else if (Validation.assetReady(env, asset)) consider(asset.readyAt)
  }
  return Number.isFinite(due) ? due : undefined
}

/**
 * Replays every step that became due up to `now`, each at its own due instant, so the state is
 * a function of the clock alone (however late the background fiber happens to run).
 */
export const advanceTo = (env: Env, now: number): void => {
  for (let i = 0; i < 10_000; i++) {
    const due = nextDue(env)
    if (due === undefined || due > now) return
    step(env, due, false)
  }
}

/** Runs steps, ignoring delays, until nothing changes. */
export const drain = (env: Env, now: number): void => {
  for (let i = 0; i < 100 && step(env, now, true); i++) {
    // each pass may unlock the next stage (sha256 → asset valid → summary)
  }
}
