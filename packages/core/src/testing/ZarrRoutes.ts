/**
 * Zarr archives (spec §3.7, §4.2): list/create/retrieve, the `after`-cursor file listing and
 * object redirects, presigned entry uploads, all-or-nothing deletes and finalize.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { Env, Zarr } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as DrfFields from "./DrfFields.js"
import * as ObjectStore from "./ObjectStore.js"
import * as Pagination from "./Pagination.js"
import * as Presign from "./Presign.js"
import * as Representations from "./Representations.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { boolParam, fail, isRecord, jsonBody, param, route } from "./Router.js"
import { parseDandisetField } from "./UploadRoutes.js"
import * as Time from "./Time.js"

const URL_EXPIRY_SECONDS = 6 * 3600
const INGESTING = "Zarr archive is currently ingesting or has already ingested"
const DOTDOT = "Zarr path cannot contain \"..\" components."

const hasDotDot = (path: string) => path.split(/[/\\]/).includes("..")

const visible = (ctx: Ctx, zarr: Zarr): boolean => {
  const d = ctx.env.state.dandisets.get(zarr.dandisetId)
  return d !== undefined && ArchiveState.canSee(d, ctx.user)
}

const visibleZarr = (ctx: Ctx): Zarr => {
  const zarr = ctx.env.state.zarrs.get(ctx.params.zarr!)
  return zarr !== undefined && visible(ctx, zarr) ? zarr : fail(Responses.notFound)
}

const requireOwner = (ctx: Ctx, zarr: Zarr): void => {
  const d = ctx.env.state.dandisets.get(zarr.dandisetId)
  if (d === undefined || !ArchiveState.isOwner(d, ctx.user)) fail(Responses.permissionDenied)
}


const list = (ctx: Ctx) => {
  const dandisetRaw = param(ctx, "dandiset")
  const dandiset = dandisetRaw === undefined ? undefined : parseDandisetField(dandisetRaw)
  if (dandisetRaw !== undefined && dandiset === undefined) {
    return Responses.fieldErrors({ dandiset: ["A valid Dandiset identifier is required."] })
  }
  const name = param(ctx, "name")
  const zarrs = [...ctx.env.state.zarrs.values()]
    .filter((z) => visible(ctx, z))
    .filter((z) => dandiset === undefined || z.dandisetId === dandiset)
    .filter((z) => name === undefined || z.name === name)
    .sort((a, b) => a.created - b.created)
  return Pagination.paginate(ctx, zarrs, Representations.zarr)
}

export const insertZarr = (env: Env, dandisetId: string, name: string, now: number): Zarr => {
  const zarr: Zarr = {
    id: ArchiveState.uuid(),
    name,
    dandisetId,
    status: "Pending",
    checksum: null,
    fileCount: 0,
    size: 0,
    created: now,
    readyAt: now
  }
  env.state.zarrs.set(zarr.id, zarr)
  return zarr
}

const create = (ctx: Ctx) => {
  const state = ctx.env.state
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  const errors: Record<string, Array<string>> = {}
  if (fields.name === undefined) errors.name = ["This field is required."]
  else if (typeof fields.name !== "string" || fields.name === "") errors.name = ["This field may not be blank."]
  else if (fields.name.length > 512) errors.name = ["Ensure this field has no more than 512 characters."]
  const dandisetId = parseDandisetField(fields.dandiset)
  if (fields.dandiset === undefined) errors.dandiset = ["This field is required."]
  else if (dandisetId === undefined) errors.dandiset = ["A valid Dandiset identifier is required."]
  if (Object.keys(errors).length > 0) return Responses.fieldErrors(errors)
  const d = state.dandisets.get(dandisetId!)
  if (d === undefined || !ArchiveState.canSee(d, ctx.user)) {
    return Responses.fieldErrors({ dandiset: [`Invalid pk "${parseInt(dandisetId!, 10)}" - object does not exist.`] })
  }
  if (!ArchiveState.isOwner(d, ctx.user)) return Responses.permissionDenied
  if (d.embargoStatus === "UNEMBARGOING") return Responses.bare(400, "Cannot add zarr to dandiset during unembargo")
  const name = fields.name as string
  if ([...state.zarrs.values()].some((z) => z.dandisetId === d.id && z.name === name)) {
    return Responses.nonFieldError("The fields dandiset, name must make a unique set.")
  }
  return Responses.ok(Representations.zarr(insertZarr(ctx.env, d.id, name, ctx.now)))
}

const retrieve = (ctx: Ctx) => Responses.ok(Representations.zarr(visibleZarr(ctx)))

const presignObject = (env: Env, method: "GET" | "PUT", key: string, headers: Record<string, string>, now: number) =>
  Presign.sign(env.hasher, env.signingKey, env.storageUrl, {
    method,
    path: `/${env.bucket}/${key}`,
    query: [],
    signedHeaders: headers,
    expiresSeconds: URL_EXPIRY_SECONDS,
    now
  })

const LIMIT_MAX = 1000

const files = (ctx: Ctx) => {
  const env = ctx.env
  const zarr = env.state.zarrs.get(ctx.params.zarr!) ?? fail(Responses.notFound)
  const givenPrefix = param(ctx, "prefix") ?? ""
  if (hasDotDot(givenPrefix)) return Responses.fieldErrors({ prefix: [DOTDOT] })
  // zarr/views files(): leading slashes of prefix and after are dropped before use
  const prefix = givenPrefix.replace(/^\/+/, "")
  const root = ArchiveState.zarrKeyPrefix(zarr.id)
  if (ctx.method === "HEAD") return Responses.redirect(302, presignObject(env, "GET", root + prefix.replace(/\/+$/, ""), {}, ctx.now))
  if (boolParam(ctx, "download", false)) return Responses.redirect(302, presignObject(env, "GET", root + prefix, {}, ctx.now))
  const after = (param(ctx, "after") ?? "").replace(/^\/+/, "").replace(/\/+$/, "")
  // zarr/views ZarrFileListQuerySerializer: limit = IntegerField(min_value=0, max_value=1000)
  const limitRaw = param(ctx, "limit")
  let limit = LIMIT_MAX
  if (limitRaw !== undefined) {
    const parsed = DrfFields.integerField(limitRaw, { min: 0, max: LIMIT_MAX })
    if (Either.isLeft(parsed)) return Responses.fieldErrors({ limit: parsed.left })
    limit = parsed.right
  }
  const keyPrefix = root + prefix.replace(/\/+$/, "")
  // One key beyond the page tells whether there is a next page.
  const keys = ObjectStore.keysWithPrefix(env.state.store, keyPrefix, {
    after: after === "" ? undefined : root + after,
    limit: limit + 1
  }).map((k) => k.slice(root.length))
  const page = keys.slice(0, limit)
  const more = keys.length > page.length && page.length > 0
  return Responses.ok({
    next: more ? Pagination.linkWith(ctx, "after", page[page.length - 1]!) : null,
    results: page.map((key) => {
      const object = env.state.store.objects.get(root + key)!
      return { Key: key, LastModified: Time.zarrListing(object.lastModified), ETag: object.etag, Size: object.size }
    })
  })
}

const mutableZarr = (ctx: Ctx): Zarr => {
  const zarr = visibleZarr(ctx)
  if (zarr.status === "Uploaded" || zarr.status === "Ingesting") fail(Responses.bare(400, INGESTING))
  requireOwner(ctx, zarr)
  return zarr
}

const resetToPending = (zarr: Zarr) => {
  zarr.status = "Pending"
  zarr.checksum = null
  zarr.fileCount = 0
  zarr.size = 0
}

const listBody = (ctx: Ctx, fieldsRequired: ReadonlyArray<string>): Array<Record<string, string>> => {
  const body = jsonBody(ctx)
  if (!Array.isArray(body)) {
    const type = body === undefined || body === null ? "NoneType" : typeof body === "object" ? "dict" : typeof body === "string" ? "str" : typeof body
    return fail(Responses.nonFieldError(`Expected a list of items but got type "${type}".`))
  }
  const errors = body.map((item) => {
    const e: Record<string, Array<string>> = {}
    const fields = isRecord(item) ? item : {}
    for (const key of fieldsRequired) {
      if (fields[key] === undefined) e[key] = ["This field is required."]
      else if (typeof fields[key] !== "string" || fields[key] === "") e[key] = ["This field may not be blank."]
    }
    if (e.path === undefined && typeof fields.path === "string" && hasDotDot(fields.path)) e.path = [DOTDOT]
    return e
  })
  if (errors.some((e) => Object.keys(e).length > 0)) return fail(Responses.json(400, errors))
  return body as Array<Record<string, string>>
}

const uploadUrls = (ctx: Ctx) => {
  const env = ctx.env
  const zarr = mutableZarr(ctx)
  const items = listBody(ctx, ["path", "base64md5"])
  const d = env.state.dandisets.get(zarr.dandisetId)!
  const tagging = ArchiveState.isEmbargoed(d)
  const urls = items.map((item) =>
    presignObject(env, "PUT", ArchiveState.zarrKeyPrefix(zarr.id) + item.path!, {
      "content-md5": item.base64md5!,
      ...(tagging ? { "x-amz-tagging": "embargoed=true" } : {})
    }, ctx.now)
  )
  resetToPending(zarr)
  return Responses.ok(urls)
}

const deleteFiles = (ctx: Ctx) => {
  const store = ctx.env.state.store
  const zarr = mutableZarr(ctx)
  const items = listBody(ctx, ["path"])
  const keys = items.map((item) => ArchiveState.zarrKeyPrefix(zarr.id) + item.path!)
  const missing = keys.find((key) => !store.objects.has(key))
  if (missing !== undefined) return Responses.listError(`File ${missing} does not exist.`)
  for (const key of keys) store.objects.delete(key)
  resetToPending(zarr)
  return Responses.empty(204)
}

const finalize = (ctx: Ctx) => {
  const zarr = visibleZarr(ctx)
  requireOwner(ctx, zarr)
  if (zarr.status !== "Pending") return Responses.bare(400, INGESTING)
  zarr.status = "Uploaded"
  zarr.readyAt = ctx.now + ctx.env.stepMillis
  return Responses.empty(204)
}

export const routes: ReadonlyArray<Route> = [
  route("/zarr/", "viewset", { GET: list, POST: create }),
  route("/zarr/{zarr}/", "viewset", { GET: retrieve }),
  route("/zarr/{zarr}/files/", "viewset", { GET: files, POST: uploadUrls, DELETE: deleteFiles }),
  route("/zarr/{zarr}/finalize/", "viewset", { POST: finalize })
]
