/**
 * Turning HTTP outcomes into the SDK's tagged errors.
 *
 * The archive answers errors in many shapes (spec server-contract.md §1.5): `{"detail": …}`,
 * field-error objects, lists of them, bare JSON strings, lists of strings, empty bodies and
 * Django's HTML pages. `readableDetail` reduces every one of them to one line a person can read,
 * and the constructors below wrap it in a message that says what to do next.
 *
 * URLs in errors never carry their query string: presigned storage URLs hold credentials there,
 * and dandi-cli drops it from its messages too. Request headers are never copied, so a token can
 * not leak through an error.
 *
 * @since 0.1.0
 */
import type { InvalidIdentifierError } from "./DandiError.js"
import * as FetchRefusal from "./FetchRefusal.js"
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  RequestRejectedError,
  ResponseDecodeError,
  ServerError,
  TransportError
} from "./DandiError.js"

/**
 * Every error an HTTP call of the SDK can fail with (an identifier refused before the request
 * is built included: no request is sent for it).
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError =
  | NotFoundError
  | AuthenticationError
  | PermissionError
  | ConflictError
  | RequestRejectedError
  | ServerError
  | TransportError
  | ResponseDecodeError
  | InvalidIdentifierError

/**
 * What a caller knows about the thing it asked for, to word a 404 precisely.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotFoundContext {
  readonly resource: string
  readonly id: string
  readonly message: string
}

const detailLimit = 1024
const excerptLimit = 500

/**
 * The URL without query string and fragment: safe to show, log and attach to spans.
 *
 * @since 0.1.0
 * @category utils
 */
export const displayUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  return cut === -1 ? url : url.slice(0, cut)
}

const truncate = (text: string, limit: number): string =>
  text.length <= limit ? text : `${text.slice(0, limit)}… [${text.length}-char response truncated]`

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim()

const describeJson = (value: unknown): string => {
  if (value === null) return ""
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) {
    const parts = value.map(describeJson).filter((part) => part.length > 0)
    return parts.join("; ")
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
    if (keys.length === 1 && keys[0] === "detail") return describeJson(record.detail)
    return keys
      .map((key) => {
        const text = describeJson(record[key])
        return key === "non_field_errors" || key === "detail" ? text : `${key}: ${text}`
      })
      .filter((part) => part.length > 0)
      .join("; ")
  }
  return ""
}

const looksLikeHtml = (text: string, contentType: string | undefined): boolean =>
  (contentType !== undefined && contentType.toLowerCase().includes("html")) || /^\s*<(!doctype|html|h1|p|head|body)\b/i.test(text)

const describeHtml = (text: string): string => {
  const withoutScripts = text.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
  const title = /<title>([\s\S]*?)<\/title>/i.exec(withoutScripts)?.[1]
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(withoutScripts)?.[1]
  // The title is not part of the page's text; nginx's and Django's pages repeat it as the h1.
  const stripped = oneLine(withoutScripts.replace(/<title>[\s\S]*?<\/title>/gi, " ").replace(/<[^>]+>/g, " "))
  const headline = oneLine((heading ?? title ?? "").replace(/<[^>]+>/g, " "))
  if (stripped.length === 0) return headline
  return headline.length > 0 && stripped.length > 200 ? headline : stripped
}

/**
 * One readable line for an error body in any of the server's shapes; "" for an empty body.
 * Long bodies are cut at 1024 characters, as dandi-cli does.
 *
 * @since 0.1.0
 * @category utils
 */
export const readableDetail = (body: string, contentType?: string): string => {
  const trimmed = body.trim()
  if (trimmed.length === 0) return ""
  if (!looksLikeHtml(trimmed, contentType)) {
    try {
      return truncate(oneLine(describeJson(JSON.parse(trimmed))), detailLimit)
    } catch {
      // Not JSON: fall through to plain text.
    }
  } else {
    return truncate(describeHtml(trimmed), detailLimit)
  }
  return truncate(oneLine(trimmed), detailLimit)
}

/**
 * At most ~500 characters of a body, for decode errors.
 *
 * @since 0.1.0
 * @category utils
 */
export const excerpt = (body: string): string =>
  body.length <= excerptLimit ? body : `${body.slice(0, excerptLimit)}… (${body.length} characters in all)`

/**
 * @since 0.1.0
 * @category models
 */
export interface StatusFailure {
  readonly status: number
  readonly method: string
  readonly url: string
  readonly body: string
  readonly contentType?: string | undefined
  readonly notFound?: NotFoundContext | undefined
  /** How the user can supply or fix credentials (e.g. "set DANDI_API_KEY"), for 401s. */
  readonly credentialsHint?: string | undefined
  /** Attempts made, when the retry policy gave up on a transient status. */
  readonly attempts?: number | undefined
}

/** `: detail` without its closing full stop, since the message goes on with one of its own. */
const withDetail = (detail: string): string => {
  const trimmed = detail.replace(/[\s.]+$/, "")
  return trimmed.length > 0 ? `: ${trimmed}` : " (no details in the response)"
}

/**
 * The tagged error for a non-2xx final status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (failure: StatusFailure): ApiError => {
  const { method, status } = failure
  const url = displayUrl(failure.url)
  const detail = readableDetail(failure.body, failure.contentType)
  const request = `${method} ${url}`
  if (status === 404) {
    if (failure.notFound !== undefined) {
      return new NotFoundError({
        message: failure.notFound.message,
        resource: failure.notFound.resource,
        id: failure.notFound.id
      })
    }
    return new NotFoundError({
      message: `Nothing found at ${request}${withDetail(detail)}. Check the identifier, the instance, and that you have access to it.`,
      resource: "url",
      id: url
    })
  }
  if (status === 401) {
    const hint = failure.credentialsHint ?? "authenticate with a valid API key"
    return new AuthenticationError({
      message: `The archive refused the credentials for ${request}${withDetail(detail)}. ${capitalise(hint)}; if the key is wrong or revoked, generate a new one in the archive's web interface.`,
      url
    })
  }
  if (status === 403) {
    return new PermissionError({
      message: `Not allowed: ${request}${withDetail(detail)}. Check that you own the dandiset, that your account is approved, and that the API key belongs to the right account.`,
      method,
      url,
      detail
    })
  }
  if (status === 409 || status === 423) {
    return new ConflictError({
      message: `${request} conflicts with the archive's current state (${status})${withDetail(detail)}. Refresh the resource and try again, or wait for the pending operation (validation, publication, upload) to finish.`,
      status,
      method,
      url,
      detail
    })
  }
  if (status >= 500) {
    const tries = failure.attempts !== undefined && failure.attempts > 1 ? ` after ${failure.attempts} attempts` : ""
    // A proxy's page that only restates the status ("502 Bad Gateway") is the status, said once.
    const restated = new RegExp(`^${status}\\b`).test(detail)
    return new ServerError({
      message: restated
        ? `The archive failed with ${detail.replace(/[\s.]+$/, "")} on ${request}${tries}. Try again later; if it keeps happening, report it to the archive's administrators.`
        : `The archive failed with ${status} on ${request}${tries}${withDetail(detail)}. Try again later; if it keeps happening, report it to the archive's administrators.`,
      status,
      method,
      url,
      detail
    })
  }
  const retried = status === 429 && failure.attempts !== undefined && failure.attempts > 1
    ? ` (still throttled after ${failure.attempts} attempts; wait a while before retrying)`
    : ""
  return new RequestRejectedError({
    message: `The archive rejected ${request} with ${status}${withDetail(detail)}${retried}. Fix the request as the server describes and try again.`,
    status,
    method,
    url,
    detail
  })
}

const capitalise = (text: string): string => text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1)

/**
 * @since 0.1.0
 * @category models
 */
export type TransportReason = TransportError["reason"]

/**
 * A request that got no complete answer. `cause` is only used for its description.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTransport = (options: {
  readonly method: string
  readonly url: string
  readonly reason: TransportReason
  readonly description?: string | undefined
  readonly attempts?: number | undefined
}): TransportError => {
  const url = displayUrl(options.url)
  const tries = options.attempts !== undefined && options.attempts > 1 ? ` after ${options.attempts} attempts` : ""
  const what = options.reason === "Timeout"
    ? "timed out"
    : options.reason === "Aborted"
    ? "was aborted"
    : "could not be completed"
  const because = options.description !== undefined && options.description.length > 0
    ? ` (${oneLine(options.description)})`
    : ""
  return new TransportError({
    message: `${options.method} ${url} ${what}${tries}${because}. Check your network connection and the instance URL, then try again.`,
    method: options.method,
    url,
    reason: options.reason
  })
}

const isJson = (body: string): boolean => {
  try {
    JSON.parse(body)
    return true
  } catch {
    return false
  }
}

/**
 * A 2xx body that is not what the API promises. A body that is not JSON at all came from
 * something else than the API (a proxy, a captive portal, a wrong URL); JSON of another shape is
 * the server's own record, said as such.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeFailure = (options: {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly body: string
  readonly problem: string
  /** Attempts made, when every one of them read a body that was not JSON. */
  readonly attempts?: number | undefined
}): ResponseDecodeError => {
  const url = displayUrl(options.url)
  const problem = oneLine(options.problem).slice(0, 300)
  const tries = options.attempts !== undefined && options.attempts > 1 ? ` (${options.attempts} attempts)` : ""
  return new ResponseDecodeError({
    message: isJson(options.body)
      ? `The server sent an unexpected record for ${options.method} ${url} (${problem}). The archive may run a newer or older API than this client knows; if it persists, report it with this message.`
      : `${options.method} ${url} answered ${options.status} with a body that is not JSON${tries} (${problem}). Check that the instance URL points at a DANDI Archive API (it usually ends in /api); a proxy or captive portal may be answering instead, or the connection damages what it carries.`,
    method: options.method,
    url,
    status: options.status,
    excerpt: excerpt(options.body)
  })
}

/**
 * One record of a listing that does not fit its schema: `what` names the record and the field
 * (`asset "a.nwb" (asset_id …): field size: Expected a non-negative number, actual -1`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const unexpectedRecord = (options: {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly record: unknown
  readonly what: string
}): ResponseDecodeError => {
  const url = displayUrl(options.url)
  return new ResponseDecodeError({
    message: `The server sent an unexpected record for ${options.method} ${url}: ${options.what}. The archive may run a newer or older API than this client knows; if it persists, report it with this message.`,
    method: options.method,
    url,
    status: options.status,
    excerpt: excerpt(JSON.stringify(options.record) ?? String(options.record))
  })
}

const unreachableReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "no such host",
  EAI_NONAME: "no such host",
  EAI_FAIL: "no such host",
  EAI_AGAIN: "the host name could not be resolved",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
  [FetchRefusal.codes.unreachable]: "nothing answered this page: the server is down or unknown, the network is off, " +
    "or the page's Content-Security-Policy blocks it"
}

/**
 * A request the browser refused because the server does not allow this page's origin (CORS):
 * said once, with what to do, as no retry can help. `server` says whether the request went to
 * the archive's API (the default) or its storage, whose remedy differs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refusedByBrowser = (options: {
  readonly method: string
  readonly url: string
  readonly refusal: FetchRefusal.FetchRefusal
  readonly server?: "api" | "storage" | undefined
}): TransportError => {
  const url = displayUrl(options.url)
  const advice = FetchRefusal.advice(options.refusal, options.server ?? "api")
  return new TransportError({
    message: `${options.method} ${url} was refused by the browser: ${options.refusal.message}: ${advice}.`,
    method: options.method,
    url,
    reason: "Other"
  })
}

/**
 * A first request that could not connect at all: one line naming the host, no retries behind it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unreachable = (options: {
  readonly method: string
  readonly url: string
  readonly code: string
}): TransportError => {
  const url = displayUrl(options.url)
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? url
  return new TransportError({
    message: `Cannot reach the archive at ${origin} (${unreachableReasons[options.code] ?? options.code}). Check the instance URL and your network connection.`,
    method: options.method,
    url,
    reason: "Connection"
  })
}
