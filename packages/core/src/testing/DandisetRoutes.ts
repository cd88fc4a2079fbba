/**
 * `/api/dandisets/…` (spec §3.1): listing with filters, search and ordering; create; retrieve;
 * delete; owners; uploads; stars; unembargo.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { Dandiset, Env, User } from "./ArchiveState.js"
import type { EmulatorResponse } from "./EmulatorHttp.js"
import * as ArchiveState from "./ArchiveState.js"
import * as DandisetSearch from "./DandisetSearch.js"
import * as DrfFields from "./DrfFields.js"
import * as Metadata from "./Metadata.js"
import * as Pagination from "./Pagination.js"
import * as Permissions from "./Permissions.js"
import * as Presign from "./Presign.js"
import * as Representations from "./Representations.js"
import * as RequestUrl from "./RequestUrl.js"
import * as Responses from "./Responses.js"
import type { Ctx, Route } from "./Router.js"
import { boolParam, fail, isRecord, jsonBody, param, requireUser, route } from "./Router.js"
import * as Time from "./Time.js"

export interface NewDandiset {
  readonly id: string
  readonly name: string
  readonly owners: ReadonlyArray<string>
  readonly metadata: Record<string, unknown>
  readonly embargoEndDate: string | undefined
}

/** Inserts a dandiset with a Pending draft. */
export const insertDandiset = (env: Env, spec: NewDandiset, now: number): Dandiset => {
  const state = env.state
  const dandiset: Dandiset = {
    id: spec.id,
    created: now,
    modified: now,
    embargoStatus: spec.embargoEndDate === undefined ? "OPEN" : "EMBARGOED",
    embargoEndDate: spec.embargoEndDate,
    owners: [...spec.owners],
    stars: new Map(),
    draft: {
      pk: ++state.counters.version,
      dandisetId: spec.id,
      version: "draft",
      name: spec.name,
      metadata: Metadata.stripVersion(spec.metadata),
      status: "Pending",
      created: now,
      modified: now,
      assetIds: [],
      validationErrors: [],
      assetsSummary: Metadata.zeroSummary(),
      releaseNotes: undefined,
      doi: undefined,
      publishedAt: undefined,
      publishActivity: undefined,
      readyAt: now + env.stepMillis,
      pendingReleaseNotes: undefined
    },
    published: [],
    readyAt: now
  }
  state.dandisets.set(spec.id, dandiset)
  return dandiset
}

/**
 * Takes the next number of the archive's own identifier sequence, skipping numbers already in use.
 * A dandiset created with a chosen identifier does not move the sequence (the server's ids come
 * from a database sequence that an explicit id leaves alone).
 */
export const nextDandisetId = (env: Env): string => {
  let n = env.state.counters.dandiset + 1
  while (env.state.dandisets.has(String(n).padStart(6, "0"))) n++
  env.state.counters.dandiset = n
  return String(n).padStart(6, "0")
}

/** Moves the sequence past a seeded identifier, so seeding reads like the archive it copies. */
export const reserveDandisetId = (env: Env, id: string): void => {
  const n = parseInt(id, 10)
  if (n > env.state.counters.dandiset) env.state.counters.dandiset = n
}

/** "Jane Doe" → "Doe, Jane", as the archive derives the default contact person. */
export const citationName = (user: User): string => {
  const parts = user.name.trim().split(/\s+/).filter((p) => p !== "")
  if (parts.length < 2) return user.name || user.username
  return `${parts[parts.length - 1]}, ${parts.slice(0, -1).join(" ")}`
}

const ORDERINGS = new Set(["id", "name", "modified", "size", "stars"])

const latestVersion = (d: Dandiset) => [...ArchiveState.allVersions(d)].sort((a, b) => b.created - a.created || b.pk - a.pk)[0]!

/** Per-facet asset counts of a dandiset, or undefined when the dandiset fails a facet. */
type Facets = (d: Dandiset) => Record<string, number> | undefined

const listDandisets = (ctx: Ctx, facets: Facets | undefined) => {
  const env = ctx.env
  const state = env.state
  const user = ctx.user
  const draft = boolParam(ctx, "draft", true)
  const emptyOk = boolParam(ctx, "empty", true)
  const embargoed = boolParam(ctx, "embargoed", false)
  const starred = boolParam(ctx, "starred", false)
  const userFilter = param(ctx, "user")
  if (userFilter !== undefined && userFilter !== "me") {
    return Responses.fieldErrors({ user: [`Select a valid choice. ${userFilter} is not one of the available choices.`] })
  }
  if (embargoed && user === undefined) {
    return Responses.bare(401, "Authentication credentials must be provided when attempting to access embargoed dandisets")
  }
  if (starred && user === undefined) return Responses.bare(401, "Must be authenticated to filter by starred dandisets.")
  const search = param(ctx, "search")
  let terms: ReadonlyArray<DandisetSearch.Term> = []
  if (search !== undefined) {
    const parsed = DandisetSearch.parse(search)
    if (typeof parsed === "string") return Responses.json(400, { search: parsed })
    terms = parsed
  }
  // The server lists by creation time unless asked otherwise (DandisetViewSet.get_queryset);
  // the Map keeps creation order for dandisets created at the same instant.
  let items = [...state.dandisets.values()].sort((a, b) => a.created - b.created)
    .filter((d) => ArchiveState.canSee(d, user))
    .filter((d) => embargoed || d.embargoStatus === "OPEN")
  if (!draft) items = items.filter((d) => d.published.length > 0)
  if (!emptyOk) items = items.filter((d) => latestVersion(d).assetIds.length > 0)
  if (userFilter === "me") items = items.filter((d) => user !== undefined && d.owners.includes(user.username))
  if (starred) {
    items = items.filter((d) => d.stars.has(user!.username))
      .sort((a, b) => b.stars.get(user!.username)! - a.stars.get(user!.username)!)
  }
  if (terms.length > 0) items = items.filter((d) => DandisetSearch.matches(env, d, terms))
  const counts = new Map<string, Record<string, number>>()
  if (facets !== undefined) {
    items = items.filter((d) => {
      const c = facets(d)
      if (c !== undefined) counts.set(d.id, c)
      return c !== undefined
    })
  }
  const orderingRaw = (param(ctx, "ordering") ?? "").split(",")[0]!.trim()
  const descending = orderingRaw.startsWith("-")
  const ordering = descending ? orderingRaw.slice(1) : orderingRaw
  if (ORDERINGS.has(ordering)) {
    const key = (d: Dandiset): number | string => {
      switch (ordering) {
        case "name":
          return latestVersion(d).name
        case "modified":
          return latestVersion(d).modified
        case "size":
          return ArchiveState.versionSize(state, latestVersion(d))
        case "stars":
          return d.stars.size
        default:
          return d.id
      }
    }
    items = [...items].sort((a, b) => {
      const ka = key(a)
      const kb = key(b)
      const c = ka < kb ? -1 : ka > kb ? 1 : 0
      return descending ? -c : c
    })
  }
  return Pagination.paginate(ctx, items, (d) => {
    const item = Representations.dandisetListItem(env, d, user)
    return facets === undefined ? item : { ...item, asset_counts: counts.get(d.id) ?? {} }
  })
}


const names = (list: unknown): Array<string> =>
  Array.isArray(list) ? list.filter(isRecord).map((x) => x.name).filter((n): n is string => typeof n === "string") : []

/** What the faceted search index knows about one asset. */
const assetFacts = (env: Env, asset: ArchiveState.Asset) => {
  const md = Metadata.renderAsset(env, asset)
  const attributed = Array.isArray(md.wasAttributedTo) ? md.wasAttributedTo.filter(isRecord) : []
  const generated = Array.isArray(md.wasGeneratedBy) ? md.wasGeneratedBy.filter(isRecord) : []
  return {
    format: typeof md.encodingFormat === "string" ? md.encodingFormat : "",
    size: ArchiveState.assetSize(env.state, asset),
    species: attributed.map((a) => (isRecord(a.species) ? a.species.name : undefined)).filter((n): n is string => typeof n === "string"),
    genotypes: attributed.map((a) => (isRecord(a.genotype) ? a.genotype.name : a.genotype)).filter((n): n is string => typeof n === "string"),
    techniques: [...names(md.measurementTechnique), ...generated.flatMap((g) => names(g.measurementTechnique))]
  }
}

const searchDandisets = (ctx: Ctx) => {
  const min = param(ctx, "file_size_min")
  const max = param(ctx, "file_size_max")
  for (const [name, value] of [["file_size_min", min], ["file_size_max", max]] as const) {
    if (value !== undefined && !/^\d+$/.test(value)) {
      return Responses.fieldErrors({ [name]: ["A valid integer is required."] })
    }
  }
  if (min !== undefined && max !== undefined && parseInt(max, 10) < parseInt(min, 10)) {
    return Responses.nonFieldError("file_size_max must be greater than file_size_min")
  }
  const all = (name: string) => ctx.url.query.filter(([k, v]) => k === name && v !== "").map(([, v]) => v)
  const fileTypes = all("file_type")
  const techniques = all("measurement_technique")
  const genotypes = all("genotype")
  const species = all("species")
  const env = ctx.env
  if (species.length > 0) {
    const known = new Set<string>()
    for (const d of env.state.dandisets.values()) {
      if (!ArchiveState.canSee(d, ctx.user)) continue
      for (const a of ArchiveState.versionAssets(env.state, d.draft)) for (const sp of assetFacts(env, a).species) known.add(sp)
    }
    const unknown = species.find((sp) => !known.has(sp))
    if (unknown !== undefined) {
      return Responses.fieldErrors({ species: [`Select a valid choice. ${unknown} is not one of the available choices.`] })
    }
  }
  const sizeMin = min === undefined ? undefined : parseInt(min, 10)
  const sizeMax = max === undefined ? undefined : parseInt(max, 10)
  const facets: Facets = (d) => {
    const facts = ArchiveState.versionAssets(env.state, latestVersion(d)).map((a) => assetFacts(env, a))
    const counts: Record<string, number> = {}
    const facet = (name: string, active: boolean, test: (f: ReturnType<typeof assetFacts>) => boolean) => {
      if (active) counts[name] = facts.filter(test).length
      return !active || counts[name]! > 0
    }
    const ok = [
      facet("file_type", fileTypes.length > 0, (f) => fileTypes.some((t) => f.format.startsWith(t))),
      facet("file_size", sizeMin !== undefined || sizeMax !== undefined, (f) =>
        (sizeMin === undefined || f.size >= sizeMin) && (sizeMax === undefined || f.size <= sizeMax)),
      facet("measurement_technique", techniques.length > 0, (f) => techniques.some((t) => f.techniques.includes(t))),
      facet("genotype", genotypes.length > 0, (f) => genotypes.some((g) => f.genotypes.includes(g))),
      facet("species", species.length > 0, (f) => species.some((sp) => f.species.includes(sp)))
    ].every((x) => x)
    return ok ? counts : undefined
  }
  return listDandisets(ctx, facets)
}

/** The longest embargo, in days: two years, or five with a funding source (365-day years). */
export const EMBARGO_DAYS = 730
export const FUNDED_EMBARGO_DAYS = 1825

type EmbargoTerms =
  | { readonly _tag: "Open" }
  | { readonly _tag: "Embargo"; readonly endDate: string; readonly funder: Record<string, unknown> | undefined }
  | { readonly _tag: "Refused"; readonly response: EmulatorResponse }

/**
 * The embargo query of `POST /dandisets/`, judged on UTC calendar days as the server does: the end
 * date defaults to today + 730 days and may be at most today + 730 days (1825 with a funding
 * source), whatever the time of day (serializers.py, CreateDandisetQueryParameterSerializer).
 */
const embargoQuery = (ctx: Ctx, embargo: boolean): EmbargoTerms => {
  const today = Time.utcDay(ctx.now)
  // Read as given: an empty value is a value to these serializer fields (a blank date is refused,
  // a blank funding source still counts as given), unlike the listing filters.
  const endRaw = RequestUrl.param(ctx.url, "embargo_end_date")
  const endMillis = endRaw === undefined ? undefined : Time.parseDate(endRaw)
  if (endRaw !== undefined && endMillis === undefined) {
    return {
      _tag: "Refused",
      response: Responses.fieldErrors({ embargo_end_date: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."] })
    }
  }
  if (!embargo) return { _tag: "Open" }
  const given = (name: string) => {
    const value = RequestUrl.param(ctx.url, name)
    return value === undefined ? undefined : DrfFields.pyStrip(value)
  }
  const funding = given("funding_source")
  const award = given("award_number")
  if (funding !== undefined && award === undefined) {
    return { _tag: "Refused", response: Responses.nonFieldError("Award number is required when funding source is set") }
  }
  if (award !== undefined && funding === undefined) {
    return { _tag: "Refused", response: Responses.nonFieldError("Funding source is required when award number is set") }
  }
  const endDay = endMillis === undefined ? today + EMBARGO_DAYS : Time.utcDay(endMillis)
  if (endDay > today + (funding === undefined ? EMBARGO_DAYS : FUNDED_EMBARGO_DAYS)) {
    return { _tag: "Refused", response: Responses.nonFieldError("Invalid embargo end date") }
  }
  // services/dandiset create_embargoed_dandiset: `if funding_source:` adds the funder, with the
  // award number only when there is one
  const funder = funding === undefined || funding === ""
    ? undefined
    : {
      schemaKey: "Organization",
      name: funding,
      ...(award === "" ? {} : { awardNumber: award }),
      roleName: ["dcite:Funder"],
      includeInCitation: false
    }
  return { _tag: "Embargo", endDate: Time.dayDate(endDay), funder }
}

const createDandiset = (ctx: Ctx) => {
  const env = ctx.env
  const user = requireUser(ctx)
  const embargo = boolParam(ctx, "embargo", false)
  const body = jsonBody(ctx)
  const fields = isRecord(body) ? body : {}
  const errors: Record<string, Array<string>> = {}
  if (fields.name === undefined) errors.name = ["This field is required."]
  else if (fields.name === null) errors.name = ["This field may not be null."]
  else if (typeof fields.name !== "string" || fields.name.trim() === "") errors.name = ["This field may not be blank."]
  else if (fields.name.length > 300) errors.name = ["Ensure this field has no more than 300 characters."]
  if (fields.metadata !== undefined && !isRecord(fields.metadata)) errors.metadata = ["Value must be valid JSON."]
  if (Object.keys(errors).length > 0) return Responses.fieldErrors(errors)
  // The server validates the query after the body and before it reads the metadata; it parses
  // `embargo_end_date` whether or not an embargo is asked for (views/dandiset.py create,
  // views/serializers.py CreateDandisetQueryParameterSerializer).
  const embargoTerms = embargoQuery(ctx, embargo)
  if (embargoTerms._tag === "Refused") return embargoTerms.response
  if (fields.metadata === undefined) {
    return Responses.serverError
  }
  const embargoEndDate = embargoTerms._tag === "Embargo" ? embargoTerms.endDate : undefined
  const funder = embargoTerms._tag === "Embargo" ? embargoTerms.funder : undefined
  const given = fields.metadata as Record<string, unknown>
  const metadata = { ...given }
  let id: string
  if (metadata.identifier !== undefined && metadata.identifier !== null) {
    const raw = String(metadata.identifier)
    const rest = raw.startsWith(`${env.instanceName}:`) ? raw.slice(env.instanceName.length + 1) : raw
    if (!/^\s*\d+\s*$/.test(rest)) return Responses.bare(400, `Invalid Identifier ${rest}`)
    if (!user.admin) return Responses.bare(400, "Creating a dandiset for a given identifier is an admin only operation.")
    const n = parseInt(rest, 10)
    id = String(n).padStart(6, "0")
    if (env.state.dandisets.has(id)) return Responses.bare(400, `Dandiset ${id} already exists`)
  } else {
    id = nextDandisetId(env)
  }
  metadata.schemaKey ??= "Dandiset"
  metadata.schemaVersion ??= Metadata.SCHEMA_VERSION
  if (metadata.contributor === undefined) {
    metadata.contributor = [{
      name: citationName(user),
      email: user.email,
      roleName: ["dcite:ContactPerson"],
      schemaKey: "Person",
      affiliation: [],
      includeInCitation: true
    }]
  }
  // The server appends the funder to the contributors the client sent, not to the default
  // contact person, so a funded embargo without contributors lists the funder alone
  // (test_dandiset_rest_create_embargoed_with_award_info).
  if (funder !== undefined) metadata.contributor = [...(Array.isArray(given.contributor) ? given.contributor : []), funder]
  if (embargoEndDate !== undefined) {
    metadata.access = [{ schemaKey: "AccessRequirements", status: "dandi:EmbargoedAccess", embargoedUntil: embargoEndDate }]
  }
  const dandiset = insertDandiset(env, { id, name: fields.name as string, owners: [user.username], metadata, embargoEndDate }, ctx.now)
  return Responses.ok(Representations.dandisetDetail(env, dandiset, undefined))
}

const retrieve = (ctx: Ctx) => Responses.ok(Representations.dandisetDetail(ctx.env, Permissions.visibleDandiset(ctx), ctx.user))

const destroy = (ctx: Ctx) => {
  const state = ctx.env.state
  const d = Permissions.visibleDandiset(ctx)
  if (!ArchiveState.isOwner(d, ctx.user)) return Responses.bare(403, "Cannot delete dandisets which you do not own.")
  if (d.published.length > 0) return Responses.bare(403, "Cannot delete dandisets with published versions.")
  if (d.draft.status === "Publishing") return Responses.bare(403, "Cannot delete dandisets that are currently being published.")
  Permissions.requireNotUnembargoing(d)
  state.dandisets.delete(d.id)
  for (const z of ArchiveState.zarrsOfDandiset(state, d.id)) state.zarrs.delete(z.id)
  for (const u of [...state.uploads.values()]) if (u.dandisetId === d.id) state.uploads.delete(u.id)
  return Responses.empty(204)
}

const owners = (ctx: Ctx, d: Dandiset) =>
  d.owners.map((name) => ctx.env.state.users.get(name)).filter((u): u is User => u !== undefined)
    .sort((a, b) => a.seq - b.seq)

const listOwners = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  return Responses.ok(owners(ctx, d).map((u) => Representations.owner(u, ctx.user)))
}

const putOwners = (ctx: Ctx) => {
  const d = Permissions.visibleDandiset(ctx)
  Permissions.requireNotUnembargoing(d)
  if (!ArchiveState.isOwner(d, ctx.user)) return Responses.bare(403, "Action not allowed")
  // views/serializers.py UserSerializer(many=True): a list of {username: CharField with Django's
  // UnicodeUsernameValidator}; a list's errors line up with its items ({} for a good one)
  // (test_dandiset.py::test_dandiset_rest_add_malformed).
  const body = jsonBody(ctx)
  if (body === null) return Responses.nonFieldError("No data provided")
  if (!Array.isArray(body)) return Responses.nonFieldError(`Expected a list of items but got type "${DrfFields.pyTypeName(body)}".`)
  const usernames: Array<string> = []
  const itemErrors = body.map((item): DrfFields.ErrorDetail => {
    if (item === null) return DrfFields.NOT_NULL
    const parsed = DrfFields.nested(item, (fields) =>
      Either.mapLeft(
        DrfFields.charField(fields.username, { validate: DrfFields.unicodeUsername }),
        (detail): DrfFields.FieldErrors => ({ username: detail })
      ))
    if (Either.isLeft(parsed)) return parsed.left
    usernames.push(parsed.right)
    return {}
  })
  if (usernames.length < body.length) return Responses.json(400, itemErrors)
  if (body.length === 0) return Responses.listError("Cannot remove all draft owners")
  const names: Array<string> = []
  for (const username of usernames) {
    if (!ctx.env.state.users.has(username)) return Responses.listError(`User ${username} not found`)
    if (!names.includes(username)) names.push(username)
  }
  d.owners = names
  d.modified = ctx.now
  return Responses.ok(owners(ctx, d).map((u) => Representations.owner(u, ctx.user)))
}

const requireOwnerForRead = (ctx: Ctx): Dandiset => {
  const d = Permissions.dandiset(ctx)
  if (ctx.user === undefined) fail(Responses.notAuthenticated)
  if (!ArchiveState.isOwner(d, ctx.user)) fail(Responses.permissionDenied)
  return d
}

const listUploads = (ctx: Ctx) => {
  const d = requireOwnerForRead(ctx)
  const uploads = [...ctx.env.state.uploads.values()].filter((u) => u.dandisetId === d.id).sort((a, b) => a.created - b.created)
  return Pagination.paginate(ctx, uploads, (u) => ({
    created: Time.api(u.created),
    blob: Presign.sign(ctx.env.hasher, ctx.env.signingKey, ctx.env.storageUrl, {
      method: "GET",
      path: `/${ctx.env.bucket}/${u.key}`,
      query: [],
      signedHeaders: {},
      expiresSeconds: 3600,
      now: ctx.now
    }),
    upload_id: u.id,
    etag: u.etag,
    size: u.size
  }))
}

const deleteUploads = (ctx: Ctx) => {
  const d = requireOwnerForRead(ctx)
  for (const u of [...ctx.env.state.uploads.values()]) {
    if (u.dandisetId === d.id) {
      ctx.env.state.uploads.delete(u.id)
      ctx.env.state.store.multipart.delete(u.multipartId)
    }
  }
  return Responses.empty(204)
}

const star = (add: boolean) => (ctx: Ctx) => {
  const user = requireUser(ctx)
  const d = Permissions.visibleDandiset(ctx)
  if (add && !d.stars.has(user.username)) d.stars.set(user.username, ArchiveState.nextSeq(ctx.env.state))
  if (!add) d.stars.delete(user.username)
  return Responses.ok({ count: d.stars.size })
}

const unembargo = (ctx: Ctx) => {
  const d = Permissions.ownedDandiset(ctx)
  if (d.embargoStatus !== "EMBARGOED") return Responses.bare(400, "Dandiset not embargoed")
  if (Representations.activeUploads(ctx.env, d.id) > 0) {
    return Responses.bare(400, "Dandiset unembargo not allowed with active uploads")
  }
  d.embargoStatus = "UNEMBARGOING"
  d.readyAt = ctx.now + ctx.env.stepMillis
  return Responses.empty(200)
}

export const routes: ReadonlyArray<Route> = [
  route("/dandisets/", "viewset", { GET: (ctx) => listDandisets(ctx, undefined), POST: createDandiset }),
  route("/dandisets/search/", "viewset", { GET: searchDandisets }),
  route("/dandisets/{dandiset}/", "viewset", { GET: retrieve, DELETE: destroy }),
  route("/dandisets/{dandiset}/users/", "viewset", { GET: listOwners, PUT: putOwners }),
  route("/dandisets/{dandiset}/uploads/", "viewset", { GET: listUploads, DELETE: deleteUploads }),
  route("/dandisets/{dandiset}/star/", "viewset", { POST: star(true), DELETE: star(false) }),
  route("/dandisets/{dandiset}/unembargo/", "viewset", { POST: unembargo })
]
