/**
 * Nested assets (`/api/dandisets/{id}/versions/{v}/assets/…`, spec §3.3) and top-level assets
 * (`/api/assets/{id}/…`, §3.4), including download redirects (§5) and folder browsing.
 *
 * @since 0.1.0
 */
import { archiveGlob } from "../Glob.js"
import type { Asset, Dandiset, Env, Version } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as DrfFields from "./DrfFields.js"
import * as Metadata from "./Metadata.js"
import { compareBytes } from "./ObjectStore.js"
import * as Pagination from "./Pagination.js"
import * as Permissions from "./Permissions.js"
import * as Presign from "./Presign.js"
import * as Representations from "./Representations.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { boolParam, fail, isRecord, jsonBody, param, route } from "./Router.js"
import { folderView } from "./Tree.js"

/**
 * One character of the archive's path regex (models/asset.py ASSET_CHARS_REGEX, spec §3.3).
 * Its `\s` is Python's: the characters `str.isspace()` accepts, which include \x1c–\x1f and
 * \x85 but not \ufeff (JavaScript's `\s` is the other way round), so they are spelled out.
 */
// eslint-disable-next-line no-control-regex -- Python's whitespace class includes these control characters
const PATH_CHARS = /^[A-z0-9(),&#+~_=\-\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/
export const pathProblem = (path: string): string | undefined => {
  if (path.startsWith("/")) return "Path must not begin with /"
  if (path.length > 512) return "Path improperly formatted"
  const chars = Array.from(path)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === "/") {
      if (i === chars.length - 1 || chars[i + 1] === "/") return "Path improperly formatted"
      continue
    }
    if (c === ".") {
      const next = chars[i + 1]
      if (next === undefined || !PATH_CHARS.test(next)) return "Path improperly formatted"
      continue
    }
    if (!PATH_CHARS.test(c)) return "Path improperly formatted"
  }
  return undefined
}

const pyList = (items: ReadonlyArray<string>) => `[${items.map((s) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(", ")}]`

const nestedContext = (ctx: Ctx): { dandiset: Dandiset; version: Version } => {
  const dandiset = Permissions.visibleDandiset(ctx)
  return { dandiset, version: Permissions.version(ctx, dandiset) }
}

const assetInVersion = (ctx: Ctx, version: Version): Asset => {
  const id = ctx.params.asset!
  if (!version.assetIds.includes(id)) fail(Responses.notFound)
  return ctx.env.state.assets.get(id) ?? fail(Responses.notFound)
}

/**
 * asset_paths.py get_conflicting_paths: a path that is a folder conflicts with everything under
 * it, folders and files, sorted; otherwise with the files among its ancestors.
 */
const conflictingPaths = (path: string, existing: ReadonlyArray<string>): Array<string> => {
  const under = new Set<string>()
  for (const other of existing) {
    if (!other.startsWith(`${path}/`)) continue
    let at = path
    for (const part of other.slice(path.length + 1).split("/")) {
      at = `${at}/${part}`
      under.add(at)
    }
  }
  if (under.size > 0) return [...under].sort()
  const parts = path.split("/")
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/")).filter((ancestor) => existing.includes(ancestor))
}

const ORDERS = new Set(["created", "-created", "modified", "-modified", "path", "-path"])

const sorted = (assets: ReadonlyArray<Asset>, order: string): Array<Asset> => {
  const key = order.replace(/^-/, "")
  return [...assets].sort((a, b) => {
    const c = key === "path"
      ? compareBytes(a.path, b.path)
      : key === "modified"
      ? a.modified - b.modified || a.seq - b.seq
      : a.created - b.created || a.seq - b.seq
    return order.startsWith("-") ? -c : c
  })
}

interface SortedListing {
  readonly order: string
  /** The version's assets as they were when sorted: the listing is reused while they are the same. */
  readonly assets: ReadonlyArray<Asset>
  readonly modified: ReadonlyArray<number>
  readonly sorted: Array<Asset>
}

/**
 * A version's whole listing sorted once and reused by the following pages while the version
 * holds the same assets (the same objects, none modified since). Sorting
 * 100,000 assets on every page request made a paged listing quadratic in the emulator's CPU; the
 * real archive's database keeps that index outside the client's process.
 */
const sortedListings = new WeakMap<Version, SortedListing>()

const sortedOnce = (version: Version, assets: ReadonlyArray<Asset>, order: string): Array<Asset> => {
  const cached = sortedListings.get(version)
  if (
    cached !== undefined && cached.order === order && cached.assets.length === assets.length &&
    assets.every((asset, i) => cached.assets[i] === asset && cached.modified[i] === asset.modified)
  ) {
    return cached.sorted
  }
  const result = sorted(assets, order)
  sortedListings.set(version, { order, assets, modified: assets.map((asset) => asset.modified), sorted: result })
  return result
}

const list = (ctx: Ctx) => {
  const env = ctx.env
  const { version } = nestedContext(ctx)
  const order = param(ctx, "order") ?? "created"
  if (!ORDERS.has(order)) {
    return Responses.fieldErrors({ order: [`Select a valid choice. ${order} is not one of the available choices.`] })
  }
  const withMetadata = boolParam(ctx, "metadata", false)
  const zarrOnly = boolParam(ctx, "zarr", false)
  let assets = ArchiveState.versionAssets(env.state, version)
  const path = param(ctx, "path")
  if (path !== undefined) {
    const exact = assets.filter((a) => a.path === path)
    assets = exact.length > 0 ? exact : assets.filter((a) => a.path.toLowerCase().startsWith(path.toLowerCase()))
  }
  const glob = param(ctx, "glob")
  if (glob !== undefined) {
    const matches = archiveGlob(glob)
    assets = assets.filter((a) => matches(a.path))
  }
  if (zarrOnly) assets = assets.filter((a) => a.zarrId !== null)
  assets = path === undefined && glob === undefined && !zarrOnly ? sortedOnce(version, assets, order) : sorted(assets, order)
  return Pagination.paginateLazy(ctx, assets, (a) =>
    withMetadata ? { ...Representations.assetItem(env, a), metadata: Metadata.renderAsset(env, a) } : Representations.assetItem(env, a)
  )
}

interface AssetBody {
  readonly metadata: Record<string, unknown>
  readonly path: string
  readonly blobId: string | undefined
  readonly zarrId: string | undefined
}

/** Python's truth value of a JSON value. */
const pyTruthy = (value: unknown): boolean =>
  !(value === null || value === undefined || value === false || value === 0 || value === "" ||
    (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0))

/**
 * views/asset.py AssetRequestSerializer as DRF runs it: first every field (metadata, blob_id,
 * zarr_id, in that order), all their errors in one body; only a body whose fields all pass meets
 * `validate()`: exactly one of the ids, then a path, then the path's grammar.
 */
const parseAssetBody = (ctx: Ctx): AssetBody => {
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  const errors: DrfFields.FieldErrors = {}
  if (fields.metadata === undefined) errors.metadata = DrfFields.REQUIRED
  else if (fields.metadata === null) errors.metadata = DrfFields.NOT_NULL
  const blobId = fields.blob_id === undefined ? undefined : DrfFields.collect(errors, "blob_id", DrfFields.uuidField(fields.blob_id))
  const zarrId = fields.zarr_id === undefined ? undefined : DrfFields.collect(errors, "zarr_id", DrfFields.uuidField(fields.zarr_id))
  if (Object.keys(errors).length > 0) return fail(Responses.fieldErrors(errors))
  if ((blobId === undefined) === (zarrId === undefined)) {
    return fail(Responses.fieldErrors({ blob_id: ["Exactly one of blob_id or zarr_id must be specified."] }))
  }
  // `'path' not in metadata or not metadata['path']`: Python's `in` and truth value, which a
  // metadata that is no object (JSONField takes any JSON) meets with a TypeError (500) or a miss.
  const metadata = fields.metadata
  if (typeof metadata === "number" || typeof metadata === "boolean") return fail(Responses.serverError)
  const hasPath = isRecord(metadata)
    ? Object.hasOwn(metadata, "path")
    : typeof metadata === "string" ? metadata.includes("path") : (metadata as Array<unknown>).includes("path")
  if (hasPath && !isRecord(metadata)) return fail(Responses.serverError)
  const path = isRecord(metadata) ? metadata.path : undefined
  if (!hasPath || !pyTruthy(path)) return fail(Responses.fieldErrors({ metadata: ["No path specified in metadata."] }))
  // validate_asset_path calls str methods on it
  if (typeof path !== "string") return fail(Responses.serverError)
  const problem = pathProblem(path)
  if (problem !== undefined) return fail(Responses.nonFieldError(problem))
  return { metadata: metadata as Record<string, unknown>, path, blobId, zarrId }
}

const requireData = (env: Env, body: AssetBody): void => {
  if (body.blobId !== undefined && !env.state.blobs.has(body.blobId)) fail(Responses.notFound)
  if (body.zarrId !== undefined && !env.state.zarrs.has(body.zarrId)) fail(Responses.notFound)
}

export const newAsset = (
  env: Env,
  dandisetId: string,
  fields: { blobId: string | null; zarrId: string | null; path: string; metadata: Record<string, unknown> },
  now: number
): Asset => {
  const asset: Asset = {
    id: ArchiveState.uuid(),
    blobId: fields.blobId,
    zarrId: fields.zarrId,
    path: fields.path,
    metadata: Metadata.stripAsset(fields.metadata),
    created: now,
    modified: now,
    status: "Pending",
    validationErrors: [],
    published: undefined,
    record: undefined,
    seq: ArchiveState.nextSeq(env.state),
    readyAt: now + env.stepMillis
  }
  env.state.assets.set(asset.id, asset)
  ArchiveState.markAssetPending(env.state, asset, dandisetId, asset.readyAt)
  return asset
}

/** Adding a (deduplicated) embargoed blob to an OPEN dandiset releases the blob. */
const releaseBlob = (env: Env, dandiset: Dandiset, blobId: string | null) => {
  if (blobId === null || ArchiveState.isEmbargoed(dandiset)) return
  ArchiveState.releaseBlob(env.state, blobId)
}

const create = (ctx: Ctx) => {
  const env = ctx.env
  const d = Permissions.ownedDandiset(ctx)
  const v = Permissions.version(ctx, d)
  Permissions.requireNotUnembargoing(d)
  const body = parseAssetBody(ctx)
  requireData(env, body)
  if (v.version !== "draft") return Responses.bare(405, "Only draft versions can be modified.")
  const existing = ArchiveState.versionAssets(env.state, v)
  if (existing.some((a) => a.path === body.path)) return Responses.bare(409, "An asset with that path already exists")
  const conflicts = conflictingPaths(body.path, existing.map((a) => a.path))
  if (conflicts.length > 0) {
    return Responses.bare(409, `Path of new asset "${body.path}" conflicts with existing assets: ${pyList(conflicts)}`)
  }
  if (body.zarrId !== undefined && env.state.zarrs.get(body.zarrId)!.dandisetId !== d.id) {
    return Responses.bare(400, "The zarr archive belongs to a different dandiset")
  }
  const asset = newAsset(env, d.id, { blobId: body.blobId ?? null, zarrId: body.zarrId ?? null, path: body.path, metadata: body.metadata }, ctx.now)
  releaseBlob(env, d, asset.blobId)
  v.assetIds.push(asset.id)
  ArchiveState.touchDraft(env, d, ctx.now)
  return Responses.ok(Representations.assetDetail(env, asset))
}

const update = (ctx: Ctx) => {
  const env = ctx.env
  const d = Permissions.ownedDandiset(ctx)
  const v = Permissions.version(ctx, d)
  if (v.version !== "draft") return Responses.bare(405, "Only draft versions can be modified.")
  Permissions.requireNotUnembargoing(d)
  const body = parseAssetBody(ctx)
  const old = assetInVersion(ctx, v)
  requireData(env, body)
  const others = ArchiveState.versionAssets(env.state, v).filter((a) => a.id !== old.id)
  if (others.some((a) => a.path === body.path)) return Responses.bare(409, "An asset with that path already exists")
  const stripped = Metadata.stripAsset(body.metadata)
  const sameData = (body.blobId ?? body.zarrId) === (old.blobId ?? old.zarrId)
  if (sameData && body.path === old.path && Metadata.canonical(stripped) === Metadata.canonical(old.metadata)) {
    return Responses.ok(Representations.assetDetail(env, old))
  }
  const asset = newAsset(env, d.id, { blobId: body.blobId ?? null, zarrId: body.zarrId ?? null, path: body.path, metadata: body.metadata }, ctx.now)
  releaseBlob(env, d, asset.blobId)
  v.assetIds[v.assetIds.indexOf(old.id)] = asset.id
  ArchiveState.touchDraft(env, d, ctx.now)
  return Responses.ok(Representations.assetDetail(env, asset))
}

const destroy = (ctx: Ctx) => {
  const d = Permissions.ownedDandiset(ctx)
  const v = Permissions.version(ctx, d)
  Permissions.requireNotUnembargoing(d)
  const asset = assetInVersion(ctx, v)
  if (v.version !== "draft") return Responses.bare(405, "Only draft versions can be modified.")
  v.assetIds = v.assetIds.filter((id) => id !== asset.id)
  ArchiveState.touchDraft(ctx.env, d, ctx.now)
  return Responses.empty(204)
}

const DOWNLOAD_EXPIRY_SECONDS = 6 * 3600

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1)

/** 302 to a presigned store URL that sets the download's Content-Disposition (and type, inline). */
const download = (ctx: Ctx, asset: Asset) => {
  const env = ctx.env
  const disposition = param(ctx, "content_disposition") ?? "attachment"
  if (disposition !== "attachment" && disposition !== "inline") {
    return Responses.fieldErrors({ content_disposition: [`"${disposition}" is not a valid choice.`] })
  }
  if (asset.zarrId !== null) {
    return Responses.bare(400, "Unable to provide download link for zarr assets. Please browse the zarr files directly to do so.")
  }
  if (asset.blobId === null || asset.record !== undefined) return Responses.notFound
  const query: Array<readonly [string, string]> = [
    ["response-content-disposition", `${disposition}; filename="${basename(asset.path)}"`]
  ]
  const format = Metadata.renderAsset(env, asset).encodingFormat
  const contentType = typeof format === "string" ? format : "application/octet-stream"
  if (disposition === "inline") query.push(["response-content-type", contentType])
  const url = Presign.sign(env.hasher, env.signingKey, env.storageUrl, {
    method: "GET",
    path: `/${env.bucket}/${ArchiveState.blobKey(asset.blobId)}`,
    query,
    signedHeaders: {},
    expiresSeconds: DOWNLOAD_EXPIRY_SECONDS,
    now: ctx.now
  })
  if (disposition === "inline" && contentType.startsWith("video/")) {
    const escaped = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;")
    return Responses.text(200, "text/html; charset=utf-8", `<html><body><video autoplay controls src="${escaped}"></video></body></html>`)
  }
  return Responses.redirect(302, url)
}

const nested = (render: (ctx: Ctx, asset: Asset) => ReturnType<typeof Responses.ok>) => (ctx: Ctx) => {
  const { version } = nestedContext(ctx)
  return render(ctx, assetInVersion(ctx, version))
}

const paths = (ctx: Ctx) => {
  const env = ctx.env
  const { version } = nestedContext(ctx)
  const prefix = (param(ctx, "path_prefix") ?? "").replace(/\/+$/, "")
  const view = folderView(env, version)
  const file = ArchiveState.versionAssets(env.state, version).find((a) => a.path === prefix)
  if (file !== undefined) return Pagination.paginate(ctx, [], (x) => x)
  if (!view.isFolder(prefix)) return Responses.detail(404, "Specified path not found.")
  return Pagination.paginate(ctx, view.children(prefix), (child) => {
    if (child.asset !== undefined) {
      const a = child.asset
      return {
        path: child.path,
        version: version.pk,
        aggregate_files: 1,
        aggregate_size: ArchiveState.assetSize(env.state, a),
        asset: {
          asset_id: a.id,
          url: a.blobId !== null ? Metadata.blobUrl(env, a.blobId) : a.zarrId !== null ? Metadata.zarrUrl(env, a.zarrId) : ""
        }
      }
    }
    const agg = view.aggregate(child.path)
    return { path: child.path, version: version.pk, aggregate_files: agg.files, aggregate_size: agg.size, asset: null }
  })
}

/** Top-level routes judge embargo by the asset's storage, not by a dandiset in the URL. */
const topLevelAsset = (ctx: Ctx): Asset => {
  const state = ctx.env.state
  const asset = state.assets.get(ctx.params.asset!) ?? fail(Responses.notFound)
  const embargoed = asset.zarrId !== null
    ? (() => {
      const zarr = state.zarrs.get(asset.zarrId!)
      const d = zarr === undefined ? undefined : state.dandisets.get(zarr.dandisetId)
      return d !== undefined && ArchiveState.isEmbargoed(d)
    })()
    : asset.blobId !== null && state.blobs.get(asset.blobId)?.embargoed === true
  if (!embargoed) return asset
  if (ctx.user === undefined) return fail(Responses.notAuthenticated)
  if (ctx.user.admin) return asset
  const owns = [...state.dandisets.values()].some((d) =>
    ArchiveState.allVersions(d).some((v) => v.assetIds.includes(asset.id)) && d.owners.includes(ctx.user!.username)
  )
  return owns ? asset : fail(Responses.permissionDenied)
}

const PREFIX = "/dandisets/{dandiset}/versions/{version}/assets/"

export const routes: ReadonlyArray<Route> = [
  route(PREFIX, "viewset", { GET: list, POST: create }),
  route(`${PREFIX}paths/`, "viewset", { GET: paths }),
  route(`${PREFIX}{asset}/`, "viewset", {
    GET: nested((ctx, a) => Responses.ok(Metadata.renderAsset(ctx.env, a))),
    PUT: update,
    DELETE: destroy
  }),
  route(`${PREFIX}{asset}/info/`, "viewset", { GET: nested((ctx, a) => Responses.ok(Representations.assetDetail(ctx.env, a))) }),
  route(`${PREFIX}{asset}/validation/`, "viewset", {
    GET: nested((_ctx, a) => Responses.ok({ status: a.status, validation_errors: a.validationErrors }))
  }),
  route(`${PREFIX}{asset}/download/`, "viewset", { GET: nested(download) }),
  route("/assets/{asset}/", "viewset", { GET: (ctx) => Responses.ok(Metadata.renderAsset(ctx.env, topLevelAsset(ctx))) }),
  route("/assets/{asset}/info/", "viewset", { GET: (ctx) => Responses.ok(Representations.assetDetail(ctx.env, topLevelAsset(ctx))) }),
  route("/assets/{asset}/download/", "viewset", { GET: (ctx) => download(ctx, topLevelAsset(ctx)) })
]
