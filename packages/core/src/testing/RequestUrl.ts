/**
 * A request URL as Django sees it: origin, percent-decoded path and an ordered query multimap.
 * Parsed by hand because core compiles without the DOM's `URL` typings.
 *
 * @since 0.1.0
 */

export interface RequestUrl {
  /** `scheme://host[:port]` exactly as received. */
  readonly origin: string
  /** The path as sent (still percent-encoded). */
  readonly rawPath: string
  /** The path percent-decoded (invalid escapes kept literally). */
  readonly path: string
  /** The raw query string without `?` (may be empty). */
  readonly rawQuery: string
  readonly query: ReadonlyArray<readonly [string, string]>
}

const decodeComponent = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const decodeFormComponent = (text: string): string => decodeComponent(text.replace(/\+/g, " "))

export const parseQuery = (rawQuery: string): Array<readonly [string, string]> =>
  rawQuery === ""
    ? []
    : rawQuery.split("&").filter((part) => part !== "").map((part) => {
      const eq = part.indexOf("=")
      return eq < 0
        ? [decodeFormComponent(part), ""] as const
        : [decodeFormComponent(part.slice(0, eq)), decodeFormComponent(part.slice(eq + 1))] as const
    })

export const parse = (url: string): RequestUrl => {
  const hashAt = url.indexOf("#")
  const withoutHash = hashAt < 0 ? url : url.slice(0, hashAt)
  const schemeEnd = withoutHash.indexOf("://")
  const pathStart = schemeEnd < 0 ? 0 : withoutHash.indexOf("/", schemeEnd + 3)
  const queryAt = withoutHash.indexOf("?")
  const originEnd = pathStart < 0 ? (queryAt < 0 ? withoutHash.length : queryAt) : pathStart
  const origin = schemeEnd < 0 ? "" : withoutHash.slice(0, originEnd)
  const rest = withoutHash.slice(originEnd)
  const restQueryAt = rest.indexOf("?")
  const rawPath = (restQueryAt < 0 ? rest : rest.slice(0, restQueryAt)) || "/"
  const rawQuery = restQueryAt < 0 ? "" : rest.slice(restQueryAt + 1)
  return { origin, rawPath, path: decodeComponent(rawPath), rawQuery, query: parseQuery(rawQuery) }
}

/** The last value of a query parameter, as Django's `QueryDict.get` returns it. */
export const param = (url: RequestUrl, name: string): string | undefined => {
  let found: string | undefined
  for (const [key, value] of url.query) if (key === name) found = value
  return found
}

/** Percent-encodes like Python's `urlencode` (spaces as `+`). */
export const encodeFormComponent = (text: string): string =>
  encodeURIComponent(text).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

export const encodeQuery = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.map(([key, value]) => `${encodeFormComponent(key)}=${encodeFormComponent(value)}`).join("&")
