/**
 * The archive's object-level guards: dandiset/version lookup (404), embargo visibility
 * (401/403 JSON), the owner decorator (404 / empty-body 403) and the unembargo lock.
 *
 * @since 0.1.0
 */
import type { Dandiset, Version } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as Responses from "./Responses.js"
import type { Ctx } from "./Router.js"
import { fail } from "./Router.js"

export const dandiset = (ctx: Ctx): Dandiset => ctx.env.state.dandisets.get(ctx.params.dandiset!) ?? fail(Responses.notFound)

/** Embargoed (or unembargoing) dandisets: anonymous 401, non-owner 403. */
export const requireVisible = (ctx: Ctx, d: Dandiset): void => {
  if (!ArchiveState.isEmbargoed(d) || ArchiveState.isOwner(d, ctx.user)) return
  fail(ctx.user === undefined ? Responses.notAuthenticated : Responses.permissionDenied)
}

export const visibleDandiset = (ctx: Ctx): Dandiset => {
  const d = dandiset(ctx)
  requireVisible(ctx, d)
  return d
}

/** django-guardian's decorator: missing → 404, not an owner → 403 with an empty body. */
export const ownedDandiset = (ctx: Ctx): Dandiset => {
  const d = dandiset(ctx)
  if (!ArchiveState.isOwner(d, ctx.user)) fail(Responses.forbiddenEmpty)
  return d
}

export const version = (ctx: Ctx, d: Dandiset): Version => {
  const id = ctx.params.version!
  return (id === "draft" ? d.draft : d.published.find((v) => v.version === id)) ?? fail(Responses.notFound)
}

export const UNEMBARGO_LOCK = "Dandiset modification not allowed during unembargo"

export const requireNotUnembargoing = (d: Dandiset): void => {
  if (d.embargoStatus === "UNEMBARGOING") fail(Responses.bare(400, UNEMBARGO_LOCK))
}

export const requireApproved = (ctx: Ctx): ArchiveState.User => {
  const user = ctx.user ?? fail(Responses.notAuthenticated)
  if (!user.approved && !user.admin) fail(Responses.permissionDenied)
  return user
}
