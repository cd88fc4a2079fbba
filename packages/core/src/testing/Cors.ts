/**
 * Cross-origin rules of the emulator, modelled on the real deployment: the API (django-cors-headers)
 * answers reads from any origin but writes only from the archive's own web origins (a list, plus
 * patterns as `CORS_ALLOWED_ORIGIN_REGEXES`). The archive lets any origin's GET, HEAD and OPTIONS
 * through (a `check_request_enabled` signal), and a preflight is an OPTIONS request, so every
 * origin's preflight passes: a write from another origin is carried out, and only its answer,
 * lacking the CORS headers, is refused by the browser. The object store answers as the archive's bucket CORS
 * rule does (any origin; GET, HEAD, PUT, POST, DELETE; any request header; only `ETag` exposed).
 * A store whose bucket has no rule for the page's origin (a self-hosted instance's MinIO or S3
 * bucket without a CORS configuration) is modelled by `storageAllowedOrigins`: its preflights
 * answer 403 as S3's do, and its answers carry no CORS headers, so the browser refuses them.
 *
 * The API allows a fixed header list, as django-cors-headers does: a browser client that adds
 * headers the real archive would refuse (e.g. tracing headers) fails here too. Storage exposes
 * nothing but `ETag`, so a browser cannot read a 206's `Content-Range` there: a client that
 * depends on it fails here as it would against S3.
 *
 * @since 0.1.0
 */
import type { EmulatorOrigin, EmulatorRequest, EmulatorResponse } from "./EmulatorHttp.js"
import * as Utf8 from "./Utf8.js"

export interface CorsOptions {
  /**
   * Origins allowed to write to the API, e.g. `["http://localhost:8085"]` or a pattern such as
   * `/^http:\/\/localhost:\d+$/`; `"*"` allows every origin.
   */
  readonly allowedOrigins: ReadonlyArray<string | RegExp>
  /**
   * Origins the object store answers; `"*"` (the default, as DANDI's own buckets) allows every
   * origin. `[]` is a bucket without a CORS rule for any page.
   */
  readonly storageAllowedOrigins?: ReadonlyArray<string | RegExp> | undefined
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

const apiAllowHeaders = [
  "accept",
  "accept-encoding",
  "authorization",
  "content-type",
  "dnt",
  "origin",
  "range",
  "user-agent",
  "x-csrftoken",
  "x-requested-with"
].join(", ")

const apiExposeHeaders = [
  "content-disposition",
  "content-length",
  "content-range",
  "etag",
  "location",
  "retry-after",
  "x-request-username"
].join(", ")

// The bucket's rule: `ExposeHeaders: [ETag]`, `AllowedMethods: [PUT, POST, GET, HEAD, DELETE]`.
const storageExposeHeaders = "etag"
const storageMethods = new Set(["GET", "HEAD", "PUT", "POST", "DELETE"])

const isListed = (list: ReadonlyArray<string | RegExp>, origin: string): boolean =>
  list.some((allowed) => typeof allowed === "string" ? allowed === "*" || allowed === origin : allowed.test(origin))

const isAllowedWriter = (options: CorsOptions, origin: string): boolean => isListed(options.allowedOrigins, origin)

const isAllowedByStorage = (options: CorsOptions, origin: string): boolean =>
  isListed(options.storageAllowedOrigins ?? ["*"], origin)

const isPreflight = (request: EmulatorRequest): boolean =>
  request.method.toUpperCase() === "OPTIONS" &&
  request.headers["origin"] !== undefined &&
  request.headers["access-control-request-method"] !== undefined

const emptyResponse = (status: number, headers: Record<string, string>): EmulatorResponse => ({
  status,
  headers: { ...headers, "content-length": "0" },
  body: { _tag: "Empty" }
})

const storageDenied = (method: string): EmulatorResponse => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code>` +
    `<Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, ` +
    `request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the ` +
    `resource's CORS spec.</Message><Method>${method}</Method><ResourceType>OBJECT</ResourceType></Error>`
  const bytes = Utf8.encode(xml)
  return {
    status: 403,
    headers: { "content-type": "application/xml", "content-length": String(bytes.length) },
    body: { _tag: "Bytes", bytes }
  }
}

/** The answer to a CORS preflight, or `undefined` when the request is not one. */
export const preflight = (
  origin: EmulatorOrigin,
  request: EmulatorRequest,
  options: CorsOptions
): EmulatorResponse | undefined => {
  if (!isPreflight(request)) return undefined
  const requestOrigin = request.headers["origin"]!
  const method = request.headers["access-control-request-method"]!.toUpperCase()
  if (origin === "api") {
    // The preflight's own method is OPTIONS, which the archive's signal allows from any origin,
    // whatever method it asks about; the write it announces is refused only at its answer.
    return emptyResponse(200, {
      "access-control-allow-origin": requestOrigin,
      "access-control-allow-methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
      "access-control-allow-headers": apiAllowHeaders,
      "access-control-max-age": "86400",
      vary: "origin"
    })
  }
  if (!storageMethods.has(method) || !isAllowedByStorage(options, requestOrigin)) return storageDenied(method)
  const requestedHeaders = request.headers["access-control-request-headers"]
  return emptyResponse(200, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "PUT, POST, GET, HEAD, DELETE",
    // The bucket's rule has `AllowedHeader: *`, which S3 answers by echoing the request.
    ...(requestedHeaders === undefined ? {} : { "access-control-allow-headers": requestedHeaders }),
    "access-control-expose-headers": storageExposeHeaders,
    "access-control-max-age": "3000",
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
  })
}

/** Headers to add to an actual (non-preflight) response; empty when the origin is not allowed. */
export const responseHeaders = (
  origin: EmulatorOrigin,
  request: EmulatorRequest,
  options: CorsOptions
): Record<string, string> => {
  const requestOrigin = request.headers["origin"]
  if (requestOrigin === undefined) return {}
  const method = request.method.toUpperCase()
  if (origin === "api") {
    const allowed = safeMethods.has(method) || isAllowedWriter(options, requestOrigin)
    if (!allowed) return { vary: "origin" }
    return {
      "access-control-allow-origin": requestOrigin,
      "access-control-expose-headers": apiExposeHeaders,
      vary: "origin"
    }
  }
  if (!storageMethods.has(method) || !isAllowedByStorage(options, requestOrigin)) return {}
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": storageExposeHeaders,
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
  }
}
