/**
 * Django-style routing for the emulated API: strict route patterns, the `CommonMiddleware`
 * trailing-slash 301, DRF token authentication, the default permission layer (evaluated before
 * 404/405) and HEAD/OPTIONS/405 handling.
 *
 * Handlers are synchronous and may short-circuit by throwing a {@link Reply}; that keeps the
 * "checks in order" of each endpoint readable as straight-line code.
 *
 * @since 0.1.0
 */
import type { Env, User } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import type { EmulatorRequest, EmulatorResponse } from "./EmulatorHttp.js"
import * as RequestUrl from "./RequestUrl.js"
import * as Responses from "./Responses.js"
import * as Utf8 from "./Utf8.js"

/** A finished response thrown from inside a handler. */
export class Reply {
  constructor(readonly response: EmulatorResponse) {}
}

export const fail = (response: EmulatorResponse): never => {
  throw new Reply(response)
}

export interface Ctx {
  readonly env: Env
  readonly request: EmulatorRequest
  readonly method: string
  readonly url: RequestUrl.RequestUrl
  /** The absolute URL of the request without its query. */
  readonly absolutePath: string
  readonly user: User | undefined
  readonly now: number
  readonly params: Readonly<Record<string, string>>
}

export type Handler = (ctx: Ctx) => EmulatorResponse
export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH"

export interface Route {
  readonly template: string
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  /** Viewset routes answer HEAD like GET; function endpoints answer 405. */
  readonly kind: "viewset" | "function"
  readonly handlers: Partial<Record<Method, Handler>>
  /** Unsafe methods open to anonymous callers (blob lookup by digest). */
  readonly anonymousWrites: boolean
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
const placeholders: Record<string, string> = {
  dandiset: "\\d{6}",
  version: "0\\.\\d{6}\\.\\d{4}|draft",
  asset: UUID,
  zarr: UUID,
  upload: "[0-9a-f-]{36}"
}

/** `template` is relative to the API root, e.g. `/dandisets/{dandiset}/versions/`. */
export const route = (
  template: string,
  kind: Route["kind"],
  handlers: Partial<Record<Method, Handler>>,
  options: { readonly anonymousWrites?: boolean } = {}
): Route => {
  const names: Array<string> = []
  const source = template.split(/(\{\w+\})/).map((piece) => {
    const placeholder = /^\{(\w+)\}$/.exec(piece)
    if (placeholder === null) return piece.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&")
    names.push(placeholder[1]!)
    return `(${placeholders[placeholder[1]!]})`
  }).join("")
  return { template, pattern: new RegExp(`^${source}$`), names, kind, handlers, anonymousWrites: options.anonymousWrites ?? false }
}

const match = (routes: ReadonlyArray<Route>, path: string) => {
  for (const r of routes) {
    const m = r.pattern.exec(path)
    if (m !== null) {
      const params: Record<string, string> = {}
      r.names.forEach((name, i) => (params[name] = m[i + 1]!))
      return { route: r, params }
    }
  }
  return undefined
}

type Authentication = { readonly _tag: "User"; readonly user: User | undefined } | {
  readonly _tag: "Rejected"
  readonly response: EmulatorResponse
}

/** DRF's authenticators: bearer tokens we cannot check count as anonymous, bad API tokens fail. */
const authenticate = (env: Env, headers: Readonly<Record<string, string>>): Authentication => {
  const header = headers["authorization"]
  if (header === undefined) return { _tag: "User", user: undefined }
  const words = header.trim().split(/\s+/)
  if (words[0]?.toLowerCase() !== "token") return { _tag: "User", user: undefined }
  if (words.length === 1) {
    return { _tag: "Rejected", response: Responses.invalidToken("Invalid token header. No credentials provided.") }
  }
  if (words.length > 2) {
    return {
      _tag: "Rejected",
      response: Responses.invalidToken("Invalid token header. Token string should not contain spaces.")
    }
  }
  const user = ArchiveState.findUserByToken(env.state, words[1]!)
  return user === undefined
    ? { _tag: "Rejected", response: Responses.invalidToken() }
    : { _tag: "User", user }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"])

const withUsername = (response: EmulatorResponse, user: User | undefined): EmulatorResponse => ({
  ...response,
  headers: { ...response.headers, "x-request-username": user?.username ?? "AnonymousUser" }
})

const serverError = (cause: unknown): EmulatorResponse =>
  Responses.text(500, "text/html", `<h1>Server Error (500)</h1><!-- ${String(cause).replace(/--/g, "- -")} -->`)

/**
 * A HEAD answer carries no body, whatever the path that produced it (viewset GET, 405, 401,
 * redirect, HTML 404); like Django's `CommonMiddleware`, it keeps the length of the dropped body.
 */
const headAnswer = (response: EmulatorResponse): EmulatorResponse => {
  const body = response.body
  if (body._tag === "Empty") return response
  const length = body._tag === "Bytes" ? body.bytes.length : body.length
  return {
    ...response,
    headers: { ...response.headers, "content-length": response.headers["content-length"] ?? String(length) },
    body: { _tag: "Empty" }
  }
}

export const dispatch = (
  env: Env,
  routes: ReadonlyArray<Route>,
  request: EmulatorRequest,
  now: number
): EmulatorResponse => {
  const response = answer(env, routes, request, now)
  return request.method.toUpperCase() === "HEAD" ? headAnswer(response) : response
}

const answer = (
  env: Env,
  routes: ReadonlyArray<Route>,
  request: EmulatorRequest,
  now: number
): EmulatorResponse => {
  const url = RequestUrl.parse(request.url)
  const basePath = RequestUrl.parse(env.apiUrl).rawPath.replace(/\/$/, "")
  if (!url.path.startsWith(basePath + "/")) return Responses.notFoundHtml
  const relative = url.path.slice(basePath.length)
  const found = match(routes, relative)
  if (found === undefined) {
    if (!relative.endsWith("/") && match(routes, relative + "/") !== undefined) {
      return Responses.redirect(301, `${url.rawPath}/${url.rawQuery === "" ? "" : "?" + url.rawQuery}`)
    }
    return Responses.notFoundHtml
  }
  const auth = authenticate(env, request.headers)
  if (auth._tag === "Rejected") return withUsername(auth.response, undefined)
  const user = auth.user
  const method = request.method.toUpperCase()
  const ctx: Ctx = {
    env,
    request,
    method,
    url,
    absolutePath: `${url.origin}${url.rawPath}`,
    user,
    now,
    params: found.params
  }
  const hasGet = found.route.handlers.GET !== undefined
  const allowed = [...Object.keys(found.route.handlers), ...(found.route.kind === "viewset" && hasGet ? ["HEAD"] : []), "OPTIONS"]
  try {
    if (!SAFE.has(method) && !found.route.anonymousWrites) {
      if (user === undefined) return withUsername(Responses.notAuthenticated, user)
      if (!user.approved && !user.admin) return withUsername(Responses.permissionDenied, user)
    }
    if (method === "OPTIONS") {
      return withUsername(
        Responses.json(200, {
          name: found.route.template,
          description: "",
          renders: ["application/json"],
          parses: ["application/json"]
        }, { allow: allowed.join(", ") }),
        user
      )
    }
    const handler = method === "HEAD" && found.route.kind === "viewset"
      ? found.route.handlers.GET
      : found.route.handlers[method as Method]
    if (handler === undefined) return withUsername(Responses.methodNotAllowed(method, allowed), user)
    const response = handler(ctx)
    return withUsername(response, user)
  } catch (e) {
    if (e instanceof Reply) return withUsername(e.response, user)
    return withUsername(serverError(e), user)
  }
}

// ---------------------------------------------------------------------------------------------
// Request parsing helpers shared by the route modules

export const param = (ctx: Ctx, name: string): string | undefined => {
  const value = RequestUrl.param(ctx.url, name)
  return value === "" ? undefined : value
}

const TRUE = new Set(["true", "t", "yes", "y", "on", "1"])
const FALSE = new Set(["false", "f", "no", "n", "off", "0"])

/** DRF's BooleanField parsing; an empty value means "absent". */
export const boolParam = (ctx: Ctx, name: string, fallback: boolean): boolean => {
  const value = param(ctx, name)
  if (value === undefined) return fallback
  if (TRUE.has(value.toLowerCase())) return true
  if (FALSE.has(value.toLowerCase())) return false
  return fail(Responses.fieldErrors({ [name]: ["Must be a valid boolean."] }))
}

/** The JSON request body; `undefined` when empty. */
export const jsonBody = (ctx: Ctx): unknown => {
  if (ctx.request.body.length === 0) return undefined
  const contentType = (ctx.request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase()
  if (contentType !== "application/json" && !contentType.endsWith("+json")) {
    return fail(Responses.detail(415, `Unsupported media type "${contentType}" in request.`))
  }
  const text = Utf8.decodeStrict(ctx.request.body)
  try {
    if (text === undefined) throw new Error("'utf-8' codec can't decode the request body")
    return JSON.parse(text) as unknown
  } catch (e) {
    return fail(Responses.detail(400, `JSON parse error - ${e instanceof Error ? e.message : String(e)}`))
  }
}

/** A JSON object (not null, not an array): effect's `Predicate.isRecord`, the SDK's one definition. */
export { isRecord } from "effect/Predicate"

export const requireUser = (ctx: Ctx): User => ctx.user ?? fail(Responses.notAuthenticated)
