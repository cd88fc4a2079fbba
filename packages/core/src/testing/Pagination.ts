/**
 * The archive's pagination styles: A (page numbers, absolute links built from the request URL
 * with sorted parameters), B (the lazy asset list: `count` only on page 1, past-the-end is an
 * empty 200) and C (the zarr listing's `after` cursor).
 *
 * @since 0.1.0
 */
import type { EmulatorResponse } from "./EmulatorHttp.js"
import * as Responses from "./Responses.js"
import type { Ctx } from "./Router.js"
import { fail } from "./Router.js"
import * as RequestUrl from "./RequestUrl.js"

export const DEFAULT_PAGE_SIZE = 100
export const MAX_PAGE_SIZE = 1000

const invalidPage = () => fail(Responses.detail(404, "Invalid page."))

export const pageSize = (ctx: Ctx): number => {
  const raw = RequestUrl.param(ctx.url, "page_size")
  if (raw === undefined || !/^\s*\+?\d+\s*$/.test(raw)) return DEFAULT_PAGE_SIZE
  const n = parseInt(raw, 10)
  return n <= 0 ? DEFAULT_PAGE_SIZE : Math.min(n, MAX_PAGE_SIZE)
}

const pageNumber = (ctx: Ctx): number => {
  const raw = RequestUrl.param(ctx.url, "page")
  if (raw === undefined || raw === "") return 1
  if (raw === "last") return Number.POSITIVE_INFINITY
  if (!/^\d+$/.test(raw)) return invalidPage()
  const n = parseInt(raw, 10)
  return n < 1 ? invalidPage() : n
}

/** The request URL with `name` replaced (or removed when `value` is undefined), params sorted. */
export const linkWith = (ctx: Ctx, name: string, value: string | undefined): string => {
  const pairs = ctx.url.query.filter(([key]) => key !== name)
  if (value !== undefined) pairs.push([name, value])
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return pairs.length === 0 ? ctx.absolutePath : `${ctx.absolutePath}?${RequestUrl.encodeQuery(pairs)}`
}

const pageLink = (ctx: Ctx, page: number): string => linkWith(ctx, "page", page === 1 ? undefined : String(page))

/** Style A. */
export const paginate = <A>(ctx: Ctx, items: ReadonlyArray<A>, render: (item: A) => unknown): EmulatorResponse => {
  const size = pageSize(ctx)
  const pages = Math.max(1, Math.ceil(items.length / size))
  let page = pageNumber(ctx)
  if (page === Number.POSITIVE_INFINITY) page = pages
  if (page > pages) return invalidPage()
  const slice = items.slice((page - 1) * size, page * size)
  return Responses.ok({
    count: items.length,
    next: page < pages ? pageLink(ctx, page + 1) : null,
    previous: page > 1 ? pageLink(ctx, page - 1) : null,
    results: slice.map(render)
  })
}

/** Style B. */
export const paginateLazy = <A>(ctx: Ctx, items: ReadonlyArray<A>, render: (item: A) => unknown): EmulatorResponse => {
  const size = pageSize(ctx)
  const raw = RequestUrl.param(ctx.url, "page")
  let page = 1
  if (raw !== undefined && raw !== "") {
    if (!/^\d+$/.test(raw) || parseInt(raw, 10) < 1) return invalidPage()
    page = parseInt(raw, 10)
  }
  const slice = items.slice((page - 1) * size, page * size)
  const more = items.length > page * size
  return Responses.ok({
    count: page === 1 ? items.length : null,
    next: more ? pageLink(ctx, page + 1) : null,
    previous: page > 1 ? pageLink(ctx, page - 1) : null,
    results: slice.map(render)
  })
}
