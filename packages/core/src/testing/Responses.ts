/**
 * Response builders for the emulated archive: the exact body shapes of spec §1.5 (Django's HTML
 * 404, DRF `{"detail": …}` bodies, field-error objects, bare strings, empty bodies).
 *
 * @since 0.1.0
 */
import type { ErrorDetail } from "./DrfFields.js"
import type { EmulatorResponse } from "./EmulatorHttp.js"
import * as Utf8 from "./Utf8.js"

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: { _tag: "Bytes", bytes: Utf8.encode(JSON.stringify(value)) }
})

export const ok = (value: unknown): EmulatorResponse => json(200, value)

export const empty = (status: number, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers,
  body: { _tag: "Empty" }
})

export const text = (status: number, contentType: string, body: string, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers: { "content-type": contentType, ...headers },
  body: { _tag: "Bytes", bytes: Utf8.encode(body) }
})

/** Django's page for a path that matches no route (never JSON). */
export const notFoundHtml: EmulatorResponse = text(
  404,
  "text/html",
  "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>"
)

export const detail = (status: number, message: string, headers: Record<string, string> = {}): EmulatorResponse =>
  json(status, { detail: message }, headers)

export const notFound = detail(404, "Not found.")

/** Django's page for an unhandled exception (DEBUG off). */
export const serverError: EmulatorResponse = text(500, "text/html", "<h1>Server Error (500)</h1>")

export const notAuthenticated = detail(401, "Authentication credentials were not provided.", {
  "www-authenticate": "Bearer realm=\"api\""
})

export const permissionDenied = detail(403, "You do not have permission to perform this action.")

export const invalidToken = (message = "Invalid token."): EmulatorResponse =>
  detail(401, message, { "www-authenticate": "Bearer realm=\"api\"" })

/** The object-permission decorator's bare `HttpResponseForbidden`: 403 with no body at all. */
export const forbiddenEmpty: EmulatorResponse = {
  status: 403,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: { _tag: "Empty" }
}

export const methodNotAllowed = (method: string, allow: ReadonlyArray<string>): EmulatorResponse =>
  detail(405, `Method "${method}" not allowed.`, { allow: allow.join(", ") })

/** DANDI's own error classes answer with a bare JSON string. */
export const bare = (status: number, message: string): EmulatorResponse => json(status, message)

/** A serializer's errors by field; a nested serializer's errors stay nested (see DrfFields). */
export const fieldErrors = (errors: Readonly<Record<string, ErrorDetail>>): EmulatorResponse => json(400, errors)

export const nonFieldError = (message: string): EmulatorResponse => fieldErrors({ non_field_errors: [message] })

/** A view-raised `ValidationError("…")`: a JSON list with one string. */
export const listError = (message: string, status = 400): EmulatorResponse => json(status, [message])

export const redirect = (status: number, location: string): EmulatorResponse => empty(status, { location })
