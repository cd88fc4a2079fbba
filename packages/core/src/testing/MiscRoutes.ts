/**
 * Function endpoints: info, stats, schemas, search helpers, auth token, users, blob lookup and
 * the WebDAV path resolver.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ArchiveState from "./ArchiveState.js"
import * as DrfFields from "./DrfFields.js"
import * as Metadata from "./Metadata.js"
import * as Pagination from "./Pagination.js"
import * as Permissions from "./Permissions.js"
import * as Representations from "./Representations.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { boolParam, fail, isRecord, jsonBody, param, requireUser, route } from "./Router.js"
import * as Schemas from "./Schemas.js"
import { folderView } from "./Tree.js"
import { digestFields } from "./UploadRoutes.js"

const info = (ctx: Ctx) => {
  const env = ctx.env
  return Responses.ok({
    instance_config: {
      instance_name: env.instanceName,
      instance_identifier: env.instanceIdentifier,
      // The archive allows null here, and dandi-cli takes an absent webui as "no web app".
      instance_url: env.servedWebUrl === undefined ? null : `${env.servedWebUrl}/`,
      doi_prefix: env.doiPrefix,
      licenses: ["spdx:CC0-1.0", "spdx:CC-BY-4.0"]
    },
    schema_version: Metadata.SCHEMA_VERSION,
    schema_url: `${env.apiUrl}/schemas/?model=Dandiset`,
    allowed_schema_versions: Schemas.ALLOWED_SCHEMA_VERSIONS,
    version: "1.0.0",
    services: {
      api: { url: env.apiUrl },
      ...(env.servedWebUrl === undefined ? {} : { webui: { url: env.servedWebUrl } }),
      jupyterhub: { url: "https://hub.dandiarchive.org" }
    },
    "cli-minimal-version": "0.74.0",
    "cli-requires-python": ">=3.10",
    "cli-bad-versions": []
  })
}

const stats = (ctx: Ctx) => {
  const state = ctx.env.state
  const dandisets = [...state.dandisets.values()]
  const attachedBlobs = new Set<string>()
  const attachedZarrs = new Set<string>()
  for (const d of dandisets) {
    for (const v of ArchiveState.allVersions(d)) {
      for (const a of ArchiveState.versionAssets(state, v)) {
        if (a.blobId !== null) attachedBlobs.add(a.blobId)
        if (a.zarrId !== null) attachedZarrs.add(a.zarrId)
      }
    }
  }
  const size = [...attachedBlobs].reduce((s, id) => s + (state.blobs.get(id)?.size ?? 0), 0) +
    [...attachedZarrs].reduce((s, id) => s + (state.zarrs.get(id)?.size ?? 0), 0)
  return Responses.ok({
    dandiset_count: dandisets.length,
    published_dandiset_count: dandisets.filter((d) => d.published.length > 0).length,
    user_count: [...state.users.values()].filter((u) => u.approved).length,
    size
  })
}

const schema = (ctx: Ctx) => {
  const model = param(ctx, "model")
  if (model === undefined) return Responses.fieldErrors({ model: ["This field is required."] })
  const found = Schemas.schemaFor(model)
  if (found === undefined) return Responses.fieldErrors({ model: [`"${model}" is not a valid choice.`] })
  return Responses.ok(found)
}

/** Everything searchable that the caller may see. */
const visibleAssets = (ctx: Ctx) => {
  const state = ctx.env.state
  return [...state.dandisets.values()].filter((d) => ArchiveState.canSee(d, ctx.user))
    .flatMap((d) => ArchiveState.allVersions(d).flatMap((v) => ArchiveState.versionAssets(state, v)))
}

const attributedValues = (ctx: Ctx, pick: (a: Record<string, unknown>) => unknown): Array<string> => {
  const values = new Set<string>()
  for (const asset of visibleAssets(ctx)) {
    const md = Metadata.renderAsset(ctx.env, asset)
    for (const a of Array.isArray(md.wasAttributedTo) ? md.wasAttributedTo.filter(isRecord) : []) {
      const v = pick(a)
      if (typeof v === "string") values.add(v)
    }
  }
  return [...values].sort()
}

const genotypes = (ctx: Ctx) => {
  const needle = (param(ctx, "genotype") ?? "").toLowerCase()
  const all = attributedValues(ctx, (a) => (isRecord(a.genotype) ? a.genotype.name : a.genotype))
  return Responses.ok(all.filter((g) => g.toLowerCase().includes(needle)).slice(0, 10))
}

const species = (ctx: Ctx) => {
  const needle = (param(ctx, "species") ?? "").toLowerCase()
  const all = attributedValues(ctx, (a) => (isRecord(a.species) ? a.species.name : undefined))
  return Pagination.paginate(ctx, all.filter((s) => s.toLowerCase().includes(needle)), (s) => s)
}

const getToken = (ctx: Ctx) => {
  const user = Permissions.requireApproved(ctx)
  return user.token === undefined ? Responses.notFound : Responses.ok(user.token)
}

const newToken = (ctx: Ctx) => {
  const user = Permissions.requireApproved(ctx)
  user.token = ArchiveState.randomHex(40)
  return Responses.ok(user.token)
}

const me = (ctx: Ctx) => Responses.ok(Representations.user(requireUser(ctx)))

const searchUsers = (ctx: Ctx) => {
  Permissions.requireApproved(ctx)
  const needle = (param(ctx, "username") ?? "").trim().toLowerCase()
  if (needle === "") return Responses.ok([])
  const found = [...ctx.env.state.users.values()]
    .filter((u) => u.approved)
    .filter((u) => u.username.toLowerCase().includes(needle) || u.name.toLowerCase().includes(needle))
    .sort((a, b) => a.seq - b.seq)
    .slice(0, 10)
  return Responses.ok(found.map(Representations.user))
}

const listUsers = (ctx: Ctx) => {
  const user = requireUser(ctx)
  if (!user.admin) return Responses.permissionDenied
  const approvedOnly = boolParam(ctx, "approved_only", true)
  return Responses.ok(
    [...ctx.env.state.users.values()].filter((u) => !approvedOnly || u.approved).map((u) => u.username).sort()
  )
}

/** views/upload.py blob_read_view: DigestSerializer as the whole body. */
const digest = (ctx: Ctx) => {
  const body = jsonBody(ctx)
  if (body === null) return Responses.nonFieldError("No data provided")
  if (body !== undefined && !isRecord(body)) {
    return Responses.nonFieldError(`Invalid data. Expected a dictionary, but got ${DrfFields.pyTypeName(body)}.`)
  }
  const parsed = digestFields(body ?? {})
  if (Either.isLeft(parsed)) return Responses.fieldErrors(parsed.left)
  const { algorithm, value } = parsed.right
  const field = algorithm === "dandi:dandi-etag" ? "etag" : algorithm === "dandi:sha2-256" ? "sha256" : undefined
  if (field === undefined) {
    return Responses.bare(400, "Unsupported Digest Algorithm. Supported: dandi:dandi-etag, dandi:sha2-256")
  }
  const found = field === "etag"
    ? ArchiveState.blobByEtag(ctx.env.state, value)
    : [...ctx.env.state.blobs.values()].find((b) => b.sha256 === value)
  return found === undefined ? Responses.notFound : Responses.ok(Representations.blob(found))
}

const atPath = (ctx: Ctx) => {
  const state = ctx.env.state
  const dandisetId = param(ctx, "dandiset_id")
  const versionId = param(ctx, "version_id")
  if (dandisetId === undefined || versionId === undefined) {
    return Responses.fieldErrors({
      ...(dandisetId === undefined ? { dandiset_id: ["This field is required."] } : {}),
      ...(versionId === undefined ? { version_id: ["This field is required."] } : {})
    })
  }
  if (!/^\d+$/.test(dandisetId)) return fail(Responses.serverError)
  const d = state.dandisets.get(dandisetId.padStart(6, "0"))
  const v = d === undefined
    ? undefined
    : versionId === "draft"
    ? d.draft
    : d.published.find((p) => p.version === versionId)
  if (d === undefined || v === undefined) return Responses.notFound
  if (d.embargoStatus === "EMBARGOED" && !ArchiveState.isOwner(d, ctx.user)) return Responses.permissionDenied
  const withMetadata = boolParam(ctx, "metadata", false)
  const children = boolParam(ctx, "children", false)
  const path = param(ctx, "path") ?? ""
  const renderAsset = (a: ArchiveState.Asset) => ({
    type: "asset",
    resource: withMetadata ? { ...Representations.assetItem(ctx.env, a), metadata: Metadata.renderAsset(ctx.env, a) } : Representations.assetItem(ctx.env, a)
  })
  const entries = folderView(ctx.env, v)
  const folderItem = (folder: string) => {
    const agg = entries.aggregate(folder)
    return { type: "folder", resource: { path: folder, total_assets: agg.files, total_size: agg.size } }
  }
  const childItems = (folder: string) =>
    entries.children(folder).map((child) => (child.asset !== undefined ? renderAsset(child.asset) : folderItem(child.path)))
  if (path === "") return Pagination.paginate(ctx, children ? childItems("") : [], (x) => x)
  const folder = path.replace(/\/$/, "")
  const asset = ArchiveState.versionAssets(state, v).find((a) => a.path === folder)
  if (asset !== undefined) {
    if (path.endsWith("/")) return Responses.detail(404, `Folder not found at ${folder}`)
    return Pagination.paginate(ctx, [renderAsset(asset)], (x) => x)
  }
  if (!entries.isFolder(folder)) return Responses.detail(404, `Folder or asset not found at ${path}`)
  return Pagination.paginate(ctx, [folderItem(folder), ...(children ? childItems(folder) : [])], (x) => x)
}

export const routes: ReadonlyArray<Route> = [
  route("/info/", "function", { GET: info }),
  route("/stats/", "function", { GET: stats }),
  route("/schemas/available/", "function", { GET: () => Responses.ok(Schemas.MODELS) }),
  route("/schemas/", "function", { GET: schema }),
  route("/search/genotypes/", "function", { GET: genotypes }),
  route("/search/species/", "function", { GET: species }),
  route("/auth/token/", "function", { GET: getToken, POST: newToken }),
  route("/users/me/", "function", { GET: me }),
  route("/users/search/", "function", { GET: searchUsers }),
  route("/users/", "function", { GET: listUsers }),
  route("/blobs/digest/", "function", { POST: digest }, { anonymousWrites: true }),
  route("/webdav/assets/atpath/", "function", { GET: atPath })
]
