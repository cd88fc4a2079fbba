/**
 * Presigned object-store URLs in the shape of S3's SigV4 query signing (`X-Amz-Algorithm`,
 * `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`). The signature is a
 * keyed SHA-256 over the method, key, the other query parameters and the signed header values:
 * not AWS's exact algorithm, but it fails on the same tampering, expiry and header mismatches.
 *
 * @since 0.1.0
 */
import type { HasherShape } from "../Hasher.js"
import { toHex } from "../Hasher.js"
import * as RequestUrl from "./RequestUrl.js"
import * as Utf8 from "./Utf8.js"

export interface PresignRequest {
  readonly method: "GET" | "PUT" | "POST"
  /** Decoded object path after the origin, starting with `/` (bucket included). */
  readonly path: string
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Lower-case header names whose values the request must repeat exactly. */
  readonly signedHeaders: Readonly<Record<string, string>>
  readonly expiresSeconds: number
  readonly now: number
}

const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")

const parseAmzDate = (text: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (m === null) return undefined
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

/** HEAD may use a URL signed for GET, as browsers and dandi-cli's redirect-following do. */
const methodClass = (method: string): string => (method === "HEAD" ? "GET" : method)

const signature = (
  hasher: HasherShape,
  key: string,
  method: string,
  path: string,
  query: ReadonlyArray<readonly [string, string]>,
  headerValues: ReadonlyArray<string>
): string => {
  const canonical = [...query]
    .filter(([name]) => name !== "X-Amz-Signature")
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&")
  const h = hasher.create("sha256")
  h.update(Utf8.encode([key, methodClass(method), path, canonical, ...headerValues].join("\n")))
  return toHex(h.digest())
}

/** Percent-encodes each segment of a decoded object path, keeping the `/` separators. */
export const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/")

export const sign = (hasher: HasherShape, key: string, origin: string, request: PresignRequest): string => {
  const headerNames = ["host", ...Object.keys(request.signedHeaders)].sort()
  const query: Array<readonly [string, string]> = [
    ...request.query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `EMULATORACCESSKEY/${amzDate(request.now).slice(0, 8)}/us-east-2/s3/aws4_request`],
    ["X-Amz-Date", amzDate(request.now)],
    ["X-Amz-Expires", String(request.expiresSeconds)],
    ["X-Amz-SignedHeaders", headerNames.join(";")]
  ]
  const values = headerNames.filter((h) => h !== "host").map((h) => `${h}:${request.signedHeaders[h]}`)
  const sig = signature(hasher, key, request.method, request.path, query, values)
  return `${origin}${encodePath(request.path)}?${RequestUrl.encodeQuery([...query, ["X-Amz-Signature", sig]])}`
}

export type Verdict =
  | { readonly _tag: "Unsigned" }
  | { readonly _tag: "Valid"; readonly signedHeaders: ReadonlyArray<string> }
  | { readonly _tag: "Expired" }
  | { readonly _tag: "Mismatch" }
  | { readonly _tag: "Malformed"; readonly message: string }

export const verify = (
  hasher: HasherShape,
  key: string,
  request: {
    readonly method: string
    readonly path: string
    readonly query: ReadonlyArray<readonly [string, string]>
    readonly headers: Readonly<Record<string, string>>
  },
  now: number
): Verdict => {
  const get = (name: string) => request.query.find(([n]) => n === name)?.[1]
  const sig = get("X-Amz-Signature")
  if (sig === undefined && get("X-Amz-Algorithm") === undefined) return { _tag: "Unsigned" }
  const date = parseAmzDate(get("X-Amz-Date") ?? "")
  const expires = Number(get("X-Amz-Expires") ?? "NaN")
  const signedHeaders = (get("X-Amz-SignedHeaders") ?? "").split(";").filter((h) => h !== "")
  if (sig === undefined || date === undefined || !Number.isInteger(expires) || signedHeaders.length === 0) {
    return { _tag: "Malformed", message: "Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters." }
  }
  const values = signedHeaders.filter((h) => h !== "host").map((h) => `${h}:${request.headers[h] ?? ""}`)
  if (signature(hasher, key, request.method, request.path, request.query, values) !== sig) return { _tag: "Mismatch" }
  if (now > date + expires * 1000) return { _tag: "Expired" }
  return { _tag: "Valid", signedHeaders }
}
