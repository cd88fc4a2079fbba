/**
 * The {@link ArchiveAdmin} seeding interface over the archive state. Seeded data bypasses the
 * request validation (paths are stored as given) but gets correct digests and checksums.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as ArchiveState from "./ArchiveState.js"
import type { Env } from "./ArchiveState.js"
import { newAsset } from "./AssetRoutes.js"
import * as BackgroundJobs from "./BackgroundJobs.js"
import { citationName, EMBARGO_DAYS, insertDandiset, nextDandisetId, reserveDandisetId } from "./DandisetRoutes.js"
import type { ArchiveAdmin, EmulatorContent, EmulatorUser } from "./EmulatorAdmin.js"
import * as ObjectStore from "./ObjectStore.js"
import * as ServerDigests from "./ServerDigests.js"
import * as Time from "./Time.js"
import * as Validation from "./Validation.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const ensureUser = (env: Env, user: EmulatorUser): ArchiveState.User => {
  const existing = env.state.users.get(user.username)
  const record: ArchiveState.User = {
    username: user.username,
    token: user.token ?? existing?.token,
    approved: user.approved ?? existing?.approved ?? true,
    admin: user.admin ?? existing?.admin ?? false,
    name: user.name ?? existing?.name ?? user.username,
    email: user.email ?? existing?.email ?? `${user.username}@example.org`,
    seq: existing?.seq ?? ArchiveState.nextSeq(env.state)
  }
  env.state.users.set(user.username, record)
  return record
}

const dandisetOrDie = (env: Env, identifier: string) => {
  const d = env.state.dandisets.get(identifier)
  if (d === undefined) throw new Error(`No dandiset ${identifier} in the emulator; create it with admin.createDandiset first.`)
  return d
}

const guessFormat = (path: string): string =>
  path.endsWith(".nwb")
    ? "application/x-nwb"
    : path.endsWith(".json")
    ? "application/json"
    : path.endsWith(".txt") || path.endsWith(".tsv")
    ? "text/plain"
    : "application/octet-stream"

/**
 * Draft path → position, so seeding many assets stays linear. Keyed by the `assetIds` array and
 * checked on use, because request handlers edit that array without knowing about the index.
 */
const pathIndex = new WeakMap<Array<string>, { length: number; positions: Map<string, number> }>()

const positionsOf = (env: Env, ids: Array<string>) => {
  let entry = pathIndex.get(ids)
  if (entry === undefined || entry.length !== ids.length) {
    entry = { length: ids.length, positions: new Map(ids.map((id, i) => [env.state.assets.get(id)?.path ?? "", i])) }
    pathIndex.set(ids, entry)
  }
  return entry
}

const attach = (env: Env, identifier: string, asset: ArchiveState.Asset, now: number) => {
  const d = dandisetOrDie(env, identifier)
  const ids = d.draft.assetIds
  let entry = positionsOf(env, ids)
  let at = entry.positions.get(asset.path)
  if (at !== undefined && env.state.assets.get(ids[at]!)?.path !== asset.path) {
    pathIndex.delete(ids)
    entry = positionsOf(env, ids)
    at = entry.positions.get(asset.path)
  }
  // Seeding the same path again replaces the asset, as an upload with --existing overwrite would.
  if (at !== undefined) ids[at] = asset.id
  else {
    ids.push(asset.id)
    entry.positions.set(asset.path, ids.length - 1)
    entry.length = ids.length
  }
  if (asset.record === undefined && Validation.assetReady(env, asset)) {
    asset.validationErrors = Validation.validateAsset(env, asset)
    asset.status = asset.validationErrors.length === 0 ? "Valid" : "Invalid"
    env.state.pendingAssets.delete(asset.id)
  }
  ArchiveState.touchDraft(env, d, now)
}

/** `around` wraps every operation (the emulator catches up with the clock and wakes its fiber). */
export const make = (env: Env, around: <A>(effect: Effect.Effect<A>) => Effect.Effect<A>): ArchiveAdmin => {
  const sync = <A>(f: (now: number) => A) => around(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => f(t))))
  return {
    addUser: (user) => sync(() => void ensureUser(env, user)),
    createDandiset: (options) =>
      sync((t) => {
        const owners = options.owners.map((name) => env.state.users.get(name) ?? ensureUser(env, { username: name }))
        const contact = owners[0]
        const metadata: Record<string, unknown> = {
          schemaKey: "Dandiset",
          description: `${options.name}: a dataset in the emulated archive.`,
          license: ["spdx:CC-BY-4.0"],
          contributor: [{
            name: contact === undefined ? "Doe, Jane" : citationName(contact),
            email: contact?.email ?? "jane@example.org",
            roleName: ["dcite:ContactPerson"],
            schemaKey: "Person",
            affiliation: [],
            includeInCitation: true
          }],
          ...(options.metadata ?? {})
        }
        const id = options.identifier ?? nextDandisetId(env)
        if (!/^\d{6}$/.test(id)) {
          throw new Error(`Dandiset identifier "${id}" is not six digits; pass e.g. "000123" or omit it.`)
        }
        if (env.state.dandisets.has(id)) {
          throw new Error(`Dandiset ${id} already exists in the emulator; omit the identifier to get the next free one.`)
        }
        reserveDandisetId(env, id)
        insertDandiset(env, {
          id,
          name: options.name,
          owners: options.owners,
          metadata,
          embargoEndDate: options.embargoed === true ? Time.dayDate(Time.utcDay(t) + EMBARGO_DAYS) : undefined
        }, t)
        return { identifier: id }
      }),
    addBlobAsset: (identifier, path, content, metadata) =>
      sync((t) => {
        const d = dandisetOrDie(env, identifier)
        const { etag, sha256 } = ObjectStore.blobDigestsOf(env.hasher, content)
        let blob = ArchiveState.blobByEtag(env.state, etag)
        if (blob === undefined) {
          const id = ArchiveState.uuid()
          const key = ArchiveState.blobKey(id)
          const embargoed = ArchiveState.isEmbargoed(d)
          ObjectStore.put(env.state.store, {
            key,
            content,
            // Blobs are multipart objects in S3, whose ETag is exactly the dandi-etag.
            etag,
            lastModified: t,
            embargoed
          })
          blob = {
            id,
            etag,
            sha256,
            size: ObjectStore.contentSize(content),
            key,
            embargoed,
            created: t,
            readyAt: t
          }
          ArchiveState.addBlob(env.state, blob)
        }
        const asset = newAsset(env, identifier, {
          blobId: blob.id,
          zarrId: null,
          path,
          metadata: { schemaKey: "Asset", encodingFormat: guessFormat(path), ...(metadata ?? {}), path }
        }, t)
        attach(env, identifier, asset, t)
        return { assetId: asset.id, blobId: blob.id }
      }),
    addZarrAsset: (identifier, path, entries) =>
      sync((t) => {
        const d = dandisetOrDie(env, identifier)
        const zarr: ArchiveState.Zarr = {
          id: ArchiveState.uuid(),
          name: path,
          dandisetId: d.id,
          status: "Complete",
          checksum: null,
          fileCount: 0,
          size: 0,
          created: t,
          readyAt: t
        }
        const files: Array<readonly [string, { md5: string; size: number }]> = []
        for (const [entry, content] of Object.entries(entries) as Array<[string, EmulatorContent]>) {
          const md5 = ObjectStore.digestOf(env.hasher, "md5", content)
          const size = ObjectStore.contentSize(content)
          ObjectStore.put(env.state.store, {
            key: ArchiveState.zarrKeyPrefix(zarr.id) + entry,
            content,
            etag: md5,
            lastModified: t,
            embargoed: ArchiveState.isEmbargoed(d)
          })
          files.push([entry, { md5, size }])
        }
        zarr.checksum = ServerDigests.zarrChecksum(env.hasher, files)
        zarr.fileCount = files.length
        zarr.size = files.reduce((sum, [, f]) => sum + f.size, 0)
        env.state.zarrs.set(zarr.id, zarr)
        const asset = newAsset(env, identifier, {
          blobId: null,
          zarrId: zarr.id,
          path,
          metadata: { schemaKey: "Asset", encodingFormat: "application/x-zarr", path }
        }, t)
        attach(env, identifier, asset, t)
        return { assetId: asset.id, zarrId: zarr.id }
      }),
    addRecordAsset: (identifier, record) =>
      sync((t) => {
        dandisetOrDie(env, identifier)
        const given = typeof record.asset_id === "string" ? record.asset_id : undefined
        const id = given !== undefined && UUID.test(given) && !env.state.assets.has(given) ? given : ArchiveState.uuid()
        const parseTime = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : t)
        const metadata = typeof record.metadata === "object" && record.metadata !== null
          ? record.metadata as Record<string, unknown>
          : {}
        const asset: ArchiveState.Asset = {
          id,
          blobId: typeof record.blob === "string" ? record.blob : null,
          zarrId: typeof record.zarr === "string" ? record.zarr : null,
          path: typeof record.path === "string" ? record.path : String(metadata.path ?? id),
          metadata,
          created: parseTime(record.created),
          modified: parseTime(record.modified),
          status: "Valid",
          validationErrors: [],
          published: undefined,
          record: { size: typeof record.size === "number" ? record.size : 0, metadata },
          seq: ArchiveState.nextSeq(env.state),
          readyAt: t
        }
        env.state.assets.set(id, asset)
        attach(env, identifier, asset, t)
        return { assetId: id }
      }),
    publish: (identifier) =>
      sync((t) => {
        const d = dandisetOrDie(env, identifier)
        BackgroundJobs.drain(env, t)
        return { version: BackgroundJobs.publishNow(env, d, t) }
      }),
    runBackgroundJobs: sync((t) => BackgroundJobs.drain(env, t))
  }
}
