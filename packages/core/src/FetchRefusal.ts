/**
 * Why a browser's `fetch` failed, once it has been told apart. fetch rejects every failure with
 * the same `TypeError: Failed to fetch`, whether the server refused this page's origin (CORS),
 * which no retry cures, or could not be reached at all. The browser package's fetch finds out which
 * (see BrowserHttp) and rejects with a FetchRefusal, which the SDK's retry engine reads:
 *
 * - `"cors"`: the server answers, but not to this page. Never retried; the request fails with a
 *   TransportError naming the server that refused and what to do (see {@link advice}).
 * - `"unreachable"`: nothing answered, as a refused connection or an unknown host in Node: a first
 *   request fails at once, later ones are retried (see ApiClient).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/**
 * The `code` of each kind, as a system error carries one (the retry engine looks for codes along
 * a failure's chain of causes).
 *
 * @since 0.1.0
 * @category constants
 */
export const codes = {
  cors: "ERR_CORS_REFUSED",
  unreachable: "ERR_FETCH_UNREACHABLE"
} as const

/**
 * A fetch that the browser refused (`kind: "cors"`) or that reached nothing (`"unreachable"`).
 * `url` is shown without its query string; `pageOrigin` is the origin the page runs on;
 * `redirected` says that `url` answered with a redirect and the server it leads to (for the
 * archive's download route, its storage) is the one that refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class FetchRefusal extends Data.TaggedError("FetchRefusal")<{
  readonly kind: keyof typeof codes
  readonly code: (typeof codes)[keyof typeof codes]
  readonly url: string
  readonly pageOrigin: string
  readonly redirected: boolean
  readonly message: string
  readonly cause?: unknown
}> {}

const originOf = (url: string): string => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? url

/**
 * The refusal of `url` by the browser on a page of `pageOrigin`: the server answers, but not this
 * page's request. With `redirected`, `url` answered with a redirect and its destination refused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cors = (
  options: {
    readonly url: string
    readonly pageOrigin: string
    readonly redirected?: boolean | undefined
    readonly cause?: unknown
  }
) => {
  const redirected = options.redirected === true
  const diagnosis = redirected
    ? `${originOf(options.url)} answers, but redirects this request to a server (for a download, the archive's ` +
      `storage) that does not allow pages from ${options.pageOrigin} (CORS)`
    : `${originOf(options.url)} answers, but does not allow pages from ${options.pageOrigin} to make this request (CORS)`
  return new FetchRefusal({
    kind: "cors",
    code: codes.cors,
    url: options.url,
    pageOrigin: options.pageOrigin,
    redirected,
    message: `${diagnosis}. Retrying cannot change that`,
    cause: options.cause
  })
}

/**
 * What to do about a CORS refusal, for a request to the archive's API or to its storage (the
 * presigned URLs of downloads, ranged reads and upload parts). A refusal behind a redirect is
 * the storage's, whatever the request was sent to.
 *
 * @since 0.1.0
 * @category formatting
 */
export const advice = (refusal: FetchRefusal, server: "api" | "storage"): string =>
  server === "storage" || refusal.redirected
    ? `the archive's storage must allow ${refusal.pageOrigin} in its bucket's CORS configuration ` +
      `(DANDI's own buckets allow every origin for GET, HEAD, PUT, POST and DELETE, exposing ETag): ` +
      `ask the instance's operators to add a CORS rule for this origin, or send the request from a server`
    : `use an origin the instance allows (its operators list them), ask them to allow ${refusal.pageOrigin}, ` +
      `or send the request from a server`

/**
 * Nothing at `url` answered the page on `pageOrigin`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unreachable = (
  options: { readonly url: string; readonly pageOrigin: string; readonly cause?: unknown }
) =>
  new FetchRefusal({
    kind: "unreachable",
    code: codes.unreachable,
    url: options.url,
    pageOrigin: options.pageOrigin,
    redirected: false,
    message: `nothing at ${originOf(options.url)} answered: the server is down or unknown, ` +
      `the network is off, or the page's Content-Security-Policy blocks it`,
    cause: options.cause
  })

/**
 * The FetchRefusal in `failure`'s chain of causes, if any.
 *
 * @since 0.1.0
 * @category guards
 */
export const find = (failure: unknown): FetchRefusal | undefined => {
  let current: unknown = failure
  for (let depth = 0; depth < 5 && Predicate.isObject(current); depth++) {
    if (current instanceof FetchRefusal) return current
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}
