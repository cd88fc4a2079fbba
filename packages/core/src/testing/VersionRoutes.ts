/**
 * `/api/dandisets/{id}/versions/…` (spec §3.2): list, metadata GET/PUT, info, publish, delete.
 *
 * @since 0.1.0
 */
import * as ArchiveState from "./ArchiveState.js"
import * as Metadata from "./Metadata.js"
import * as Pagination from "./Pagination.js"
import * as Permissions from "./Permissions.js"
import * as Representations from "./Representations.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { isRecord, jsonBody, param, route } from "./Router.js"

const list = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  const order = param(ctx, "order") ?? "created"
  if (order !== "created" && order !== "-created") {
    return Responses.fieldErrors({ order: [`Select a valid choice. ${order} is not one of the available choices.`] })
  }
  const versions = ArchiveState.allVersions(d).sort((a, b) => a.created - b.created || a.pk - b.pk)
  if (order === "-created") versions.reverse()
  return Pagination.paginate(ctx, versions, (v) => Representations.versionListItem(ctx.env, v, ctx.user))
}

const metadata = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  return Responses.ok(Metadata.renderVersion(ctx.env, d, Permissions.version(ctx, d)))
}

const info = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  return Responses.ok(Representations.versionInfo(ctx.env, Permissions.version(ctx, d), ctx.user))
}

const update = (ctx: Ctx) => {
  const d = Permissions.ownedDandiset(ctx)
  const v = Permissions.version(ctx, d)
  if (v.version !== "draft") return Responses.bare(405, "Only draft versions can be modified.")
  Permissions.requireNotUnembargoing(d)
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  const errors: Record<string, Array<string>> = {}
  if (fields.name === undefined) errors.name = ["This field is required."]
  else if (typeof fields.name !== "string" || fields.name.trim() === "") errors.name = ["This field may not be blank."]
  else if (fields.name.length > 300) errors.name = ["Ensure this field has no more than 300 characters."]
  if (Object.keys(errors).length > 0) return Responses.fieldErrors(errors)
  if (!isRecord(fields.metadata)) return Responses.serverError
  const name = fields.name as string
  const stripped = Metadata.stripVersion(fields.metadata)
  // views/version.py update(): a no-op only when the name and the document, as
  // Version.strip_metadata leaves them, equal the stored (populated) ones
  const unchanged = name === v.name &&
    Metadata.canonical(Metadata.versionForComparison(fields.metadata)) ===
      Metadata.canonical(Metadata.versionForComparison(Metadata.renderVersion(ctx.env, d, v)))
  if (!unchanged) {
    v.name = name
    v.metadata = stripped
    v.assetsSummary = Metadata.zeroSummary()
    ArchiveState.touchDraft(ctx.env, d, ctx.now)
  }
  const out = Representations.versionInfo(ctx.env, v, ctx.user)
  return Responses.ok({ ...out, dandiset: { ...out.dandiset, is_starred: false } })
}

const destroy = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  const v = Permissions.version(ctx, d)
  if (v.version === "draft") return Responses.bare(403, "Cannot delete draft versions")
  if (ctx.user?.admin !== true) return Responses.bare(403, "Cannot delete published versions")
  d.published.splice(d.published.indexOf(v), 1)
  return Responses.empty(204)
}

const publish = (ctx: Ctx) => {
  const env = ctx.env
  const d = Permissions.ownedDandiset(ctx)
  if (ctx.params.version !== "draft") return Responses.bare(405, "Only draft versions can be published")
  const body = jsonBody(ctx)
  let notes: string | undefined
  if (body !== undefined && body !== null) {
    if (!isRecord(body)) return Responses.nonFieldError("Invalid data. Expected a dictionary, but got list.")
    if (body.release_notes !== undefined) {
      if (typeof body.release_notes !== "string") return Responses.fieldErrors({ release_notes: ["Not a valid string."] })
      if (body.release_notes.length > 5000) {
        return Responses.fieldErrors({ release_notes: ["Ensure this field has no more than 5000 characters."] })
      }
      notes = body.release_notes
    }
  }
  if (d.embargoStatus !== "OPEN") return Responses.bare(400, "Operation only allowed on OPEN dandisets")
  if (ArchiveState.zarrsOfDandiset(env.state, d.id).length > 0) {
    return Responses.bare(400, "Cannot publish dandisets which contain zarrs")
  }
  const draft = d.draft
  switch (draft.status) {
    case "Published":
      return Responses.bare(400, "There have been no changes to the draft version since the last publish.")
    case "Publishing":
      return Responses.bare(423, "Dandiset is currently being published")
    case "Validating":
      return Responses.bare(409, "Dandiset is currently being validated")
    case "Pending":
      return Responses.bare(409, "Metadata validation is pending for this dandiset, please try again later.")
    case "Invalid":
      return Responses.bare(400, "Dandiset metadata or asset metadata is not valid")
    case "Valid":
      break
  }
  const assetsValid = ArchiveState.versionAssets(env.state, draft).every((a) => a.status === "Valid" || a.record !== undefined)
  if (!assetsValid) return Responses.bare(400, "Dandiset metadata or asset metadata is not valid")
  draft.status = "Publishing"
  draft.pendingReleaseNotes = notes
  draft.readyAt = ctx.now + env.stepMillis
  return Responses.empty(202)
}

export const routes: ReadonlyArray<Route> = [
  route("/dandisets/{dandiset}/versions/", "viewset", { GET: list }),
  route("/dandisets/{dandiset}/versions/{version}/", "viewset", { GET: metadata, PUT: update, DELETE: destroy }),
  route("/dandisets/{dandiset}/versions/{version}/info/", "viewset", { GET: info }),
  route("/dandisets/{dandiset}/versions/{version}/publish/", "viewset", { POST: publish })
]
