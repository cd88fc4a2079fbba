/**
 * Blob uploads (spec §3.5, §4.1): initialize (part plan, dedup 409 + Location), complete
 * (presigned CompleteMultipartUpload URL and XML) and validate (store size/ETag checks).
 *
 * @since 0.1.0
 */
import type { Env } from "./ArchiveState.js"
import * as Either from "effect/Either"
import * as ArchiveState from "./ArchiveState.js"
import * as DrfFields from "./DrfFields.js"
import * as Permissions from "./Permissions.js"
import * as Presign from "./Presign.js"
import * as Representations from "./Representations.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { fail, isRecord, jsonBody, route } from "./Router.js"
import * as ServerDigests from "./ServerDigests.js"

const UPLOAD_EXPIRY_SECONDS = 7 * 24 * 3600

const presign = (env: Env, method: "PUT" | "POST", key: string, query: Array<readonly [string, string]>, now: number) =>
  Presign.sign(env.hasher, env.signingKey, env.storageUrl, {
    method,
    path: `/${env.bucket}/${key}`,
    query,
    signedHeaders: {},
    expiresSeconds: UPLOAD_EXPIRY_SECONDS,
    now
  })

/**
 * DRF's `DandisetIdentifierField` (views/serializers.py): a string must be exactly six digits; an
 * integer (a JSON boolean counts, as Python's `bool` is an `int`) must lie in 0–999999.
 */
export const parseDandisetField = (value: unknown): string | undefined => {
  if (typeof value === "boolean") return value ? "000001" : "000000"
  if (typeof value === "string" && /^\d{6}$/.test(value)) return value
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 999999) {
    return String(value).padStart(6, "0")
  }
  return undefined
}

/** views/upload.py DigestSerializer: two CharFields. */
export const digestFields = (
  object: Record<string, unknown>
): Either.Either<{ readonly algorithm: string; readonly value: string }, DrfFields.FieldErrors> => {
  const errors: DrfFields.FieldErrors = {}
  const algorithm = DrfFields.collect(errors, "algorithm", DrfFields.charField(object.algorithm))
  const value = DrfFields.collect(errors, "value", DrfFields.charField(object.value))
  return Object.keys(errors).length > 0 ? Either.left(errors) : Either.right({ algorithm: algorithm!, value: value! })
}

const initialize = (ctx: Ctx) => {
  const env = ctx.env
  const state = env.state
  const user = Permissions.requireApproved(ctx)
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  // UploadInitializationRequestSerializer: dandiset, contentSize, then digest, a nested
  // DigestSerializer whose errors stay nested under "digest".
  const errors: DrfFields.FieldErrors = {}
  const dandisetId = parseDandisetField(fields.dandiset)
  if (fields.dandiset === undefined) errors.dandiset = DrfFields.REQUIRED
  else if (fields.dandiset === null) errors.dandiset = DrfFields.NOT_NULL
  else if (dandisetId === undefined) errors.dandiset = ["A valid Dandiset identifier is required."]
  const contentSize = DrfFields.collect(errors, "contentSize", DrfFields.integerField(fields.contentSize, { min: 1 }))
  const digest = fields.digest === undefined
    ? undefined
    : DrfFields.collect(errors, "digest", DrfFields.nested(fields.digest, digestFields))
  if (Object.keys(errors).length > 0) return Responses.fieldErrors(errors)
  // get_digest_data reads data['digest'], which an absent (optional) digest lacks: a KeyError
  if (digest === undefined) return Responses.serverError
  if (digest.algorithm !== "dandi:dandi-etag") return Responses.listError("Unsupported Digest Type")
  const etag = digest.value
  if (etag.length > 40) return Responses.serverError
  const size = contentSize!
  if (size > ServerDigests.MAX_OBJECT_SIZE) return Responses.serverError
  const d = state.dandisets.get(dandisetId!)
  if (d === undefined || !ArchiveState.canSee(d, user)) return Responses.notFound
  if (!ArchiveState.isOwner(d, user)) return Responses.bare(403, "Action not allowed")
  Permissions.requireNotUnembargoing(d)
  const existing = ArchiveState.blobByEtag(state, etag)
  if (existing !== undefined) return Responses.json(409, "Blob already exists.", { location: existing.id })
  const uploadId = ArchiveState.uuid()
  const key = ArchiveState.blobKey(uploadId)
  const multipartId = ArchiveState.randomHex(32)
  const embargoed = ArchiveState.isEmbargoed(d)
  state.store.multipart.set(multipartId, { uploadId: multipartId, key, embargoed, parts: new Map() })
  state.uploads.set(uploadId, { id: uploadId, dandisetId: d.id, etag, size, key, multipartId, embargoed, created: ctx.now })
  return Responses.ok({
    upload_id: uploadId,
    parts: ServerDigests.partPlan(size).map((part) => ({
      part_number: part.partNumber,
      size: part.size,
      upload_url: presign(env, "PUT", key, [["uploadId", multipartId], ["partNumber", String(part.partNumber)]], ctx.now)
    }))
  })
}

/** Unknown, or embargoed and not owned by the caller → 404. */
const visibleUpload = (ctx: Ctx): ArchiveState.Upload => {
  const state = ctx.env.state
  const upload = state.uploads.get(ctx.params.upload!) ?? fail(Responses.notFound)
  if (upload.embargoed) {
    const d = state.dandisets.get(upload.dandisetId)
    if (d === undefined || !ArchiveState.isOwner(d, ctx.user)) fail(Responses.notFound)
  }
  return upload
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const complete = (ctx: Ctx) => {
  Permissions.requireApproved(ctx)
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  if (fields.parts === undefined) return Responses.fieldErrors({ parts: ["This field is required."] })
  if (!Array.isArray(fields.parts)) {
    return Responses.json(400, { parts: { non_field_errors: ["Expected a list of items but got type \"dict\"."] } })
  }
  if (fields.parts.length === 0) return Responses.json(400, { parts: { non_field_errors: ["This list may not be empty."] } })
  const partErrors = fields.parts.map((p) => {
    const e: Record<string, Array<string>> = {}
    const part = isRecord(p) ? p : {}
    for (const key of ["part_number", "size"]) {
      const v = part[key]
      if (v === undefined) e[key] = ["This field is required."]
      else if (typeof v !== "number" || !Number.isInteger(v)) e[key] = ["A valid integer is required."]
      else if (v < 1) e[key] = ["Ensure this value is greater than or equal to 1."]
    }
    if (part.etag === undefined) e.etag = ["This field is required."]
    else if (typeof part.etag !== "string" || part.etag === "") e.etag = ["This field may not be blank."]
    return e
  })
  if (partErrors.some((e) => Object.keys(e).length > 0)) return Responses.json(400, { parts: partErrors })
  const upload = visibleUpload(ctx)
  const parts = [...(fields.parts as Array<{ part_number: number; etag: string }>)].sort((a, b) => a.part_number - b.part_number)
  const xml = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
    parts.map((p) => `<Part><PartNumber>${p.part_number}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`
  return Responses.ok({
    complete_url: presign(ctx.env, "POST", upload.key, [["uploadId", upload.multipartId]], ctx.now),
    body: xml
  })
}

const validate = (ctx: Ctx) => {
  const env = ctx.env
  const state = env.state
  Permissions.requireApproved(ctx)
  const upload = visibleUpload(ctx)
  const object = state.store.objects.get(upload.key)
  if (object === undefined) return Responses.listError("Object does not exist.")
  if (object.size !== upload.size) return Responses.listError(`Size ${upload.size} does not match actual size ${object.size}.`)
  if (object.etag !== upload.etag) return Responses.listError(`ETag ${upload.etag} does not match actual ETag ${object.etag}.`)
  state.uploads.delete(upload.id)
  state.store.multipart.delete(upload.multipartId)
  if (ArchiveState.blobByEtag(state, upload.etag) !== undefined) {
    state.store.objects.delete(upload.key)
    return Responses.bare(409, "An identical blob has already been uploaded.")
  }
  const blob: ArchiveState.Blob = {
    id: upload.id,
    etag: upload.etag,
    sha256: null,
    size: upload.size,
    key: upload.key,
    embargoed: upload.embargoed,
    created: ctx.now,
    readyAt: ctx.now + env.stepMillis
  }
  ArchiveState.addBlob(state, blob)
  return Responses.ok(Representations.blob(blob))
}

export const routes: ReadonlyArray<Route> = [
  route("/uploads/initialize/", "function", { POST: initialize }),
  route("/uploads/{upload}/complete/", "function", { POST: complete }),
  route("/uploads/{upload}/validate/", "function", { POST: validate })
]
