/**
 * Listings as Streams: ordered, back-pressured, bounded in memory.
 *
 * ```ts
 * interface PaginatorShape {
 *   pages(item, path, { params?, pageSize?, concurrency?, notFound? }?)  // Stream<A, ApiError, R>
 *   cursor(item, path, { params?, notFound? }?)                          // Stream<A, ApiError, R>
 * }
 * Paginator.layer   // Layer<Paginator, never, ApiClient | DandiConfig>
 * ```
 *
 * `pages` reads `{count, next, results}` envelopes (server-contract.md §1.7 A and B):
 * 1. GET `path?…&page_size=N` (N = `pageSize`, default from DandiConfig, 1000).
 * 2. If `next` is not "this URL with page=2" (`isPage2Url`, spec client-behaviour.md §3), the
 *    server pages some other way: follow `next` one page at a time.
 * 3. Otherwise the real page size is the length of page 1 — the server caps `page_size` at 1000
 *    without saying so (dandi-cli's bug, spec §12.12, is to trust the requested size).
 *    With page 1's `count`, pages 2..⌈count/size⌉ are fetched at most `concurrency` at a time
 *    and emitted in order; a later `next` (the listing grew) is then followed serially.
 *    Without a count, pages are fetched ahead until a short or empty page or a null `next`.
 * Stopping the stream early (e.g. `Stream.take`) interrupts the requests still in flight.
 *
 * `cursor` follows `next` strictly one page at a time (`{next, results}` envelopes: zarr files).
 *
 * Each record is decoded on its own, synchronously, in one loop per page (the item schema needs
 * no services), and records flow downstream one page-sized chunk at a time. One that does not fit its schema is reported naming the
 * record (an asset's path and id, a dandiset's identifier) and the field, as "the server sent an
 * unexpected record"; `onInvalid` (per listing, else DandiConfig's, default `"fail"`) decides
 * whether that ends the listing with a ResponseDecodeError (`"fail"`) or is logged as a warning
 * while the listing goes on without it (`"skip"`). Nothing that failed its schema is returned.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ApiClient, type QueryParams } from "./ApiClient.js"
import { PageEnvelope } from "./ApiRecords.js"
import { DandiConfig } from "./DandiConfig.js"
import type { ApiError, NotFoundContext } from "./HttpErrors.js"
import * as HttpErrors from "./HttpErrors.js"
import * as WebUrl from "./WebUrl.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PageOptions {
  readonly params?: QueryParams | undefined
  /** Items per page requested from the server (it caps at 1000). */
  readonly pageSize?: number | undefined
  /** Pages in flight at once after the first. */
  readonly concurrency?: number | undefined
  /** Wording of a 404 on the first page (the listed resource does not exist). */
  readonly notFound?: NotFoundContext | undefined
  /** What a record that does not fit its schema does (default: DandiConfig's `onInvalid`). */
  readonly onInvalid?: OnInvalid | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CursorOptions {
  readonly params?: QueryParams | undefined
  readonly notFound?: NotFoundContext | undefined
  readonly onInvalid?: OnInvalid | undefined
}

/**
 * `"fail"`: a record that does not fit ends the listing with a ResponseDecodeError naming it;
 * `"skip"`: it is reported (a warning naming it and the field) and the listing goes on.
 *
 * @since 0.1.0
 * @category models
 */
export type OnInvalid = "fail" | "skip"

/**
 * @since 0.1.0
 * @category models
 */
export interface PaginatorShape {
  readonly pages: <A, I>(
    item: Schema.Schema<A, I>,
    path: string,
    options?: PageOptions
  ) => Stream.Stream<A, ApiError>
  readonly cursor: <A, I>(
    item: Schema.Schema<A, I>,
    path: string,
    options?: CursorOptions
  ) => Stream.Stream<A, ApiError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Paginator extends Context.Tag("@dandi-effect/core/Paginator")<Paginator, PaginatorShape>() {}

/** The envelope of one page, its records left raw: they are decoded one by one (see `decodeResults`). */
const Envelope = PageEnvelope(Schema.Unknown)

interface Decoder<A> {
  readonly item: (raw: unknown) => Either.Either<A, ParseResult.ParseError>
  readonly onInvalid: OnInvalid
}

/**
 * How a record names itself in a message: an asset by path and id, a dandiset by identifier.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeRecord = (raw: unknown, position: number): string => {
  const record = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : {}
  const text = (key: string) => {
    const value = record[key]
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined
  }
  const path = text("path")
  const assetId = text("asset_id")
  if (path !== undefined || assetId !== undefined) {
    return `asset ${path === undefined ? "(no path)" : JSON.stringify(path)}${assetId === undefined ? "" : ` (asset_id ${assetId})`}`
  }
  const identifier = text("identifier")
  if (identifier !== undefined) return `dandiset ${identifier}${text("version") === undefined ? "" : `/${text("version")}`}`
  const version = text("version")
  if (version !== undefined) return `version ${version}`
  const key = text("key") ?? text("Key")
  if (key !== undefined) return `entry ${JSON.stringify(key)}`
  return `record ${position + 1} of the page`
}

/** The first problem of a parse error, as `field: what was wrong`. */
const fieldProblem = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "does not fit"
  const field = issue.path.map(String).join(".")
  const message = issue.message.replace(/\s+/g, " ").slice(0, 200)
  return field === "" ? message : `field ${field}: ${message}`
}

interface Page<A> {
  readonly count: number | null
  readonly next: string | null
  readonly results: ReadonlyArray<A>
  readonly sent: number
}

/** A page's records as one chunk: downstream stages work page by page, not record by record. */
const resultsChunk = <A>(page: Page<A>): Chunk.Chunk<A> => Chunk.unsafeFromArray(page.results as Array<A>)
const pageChunk = <A>(page: Page<A>): Stream.Stream<A> => Stream.fromChunk(resultsChunk(page))

const sortedPairs = (params: WebUrl.WebUrlSearchParams): Array<string> =>
  Array.from(params, ([key, value]) => JSON.stringify([key, value])).sort()

/**
 * True when `page2` is `page1` with `page=2` set: same scheme, host, port, path and fragment, and
 * the same decoded query pairs in any order. A relative `page2` never matches.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPage2Url = (page1: string, page2: string): boolean => {
  const first = WebUrl.parse(page1)
  const second = WebUrl.parse(page2)
  if (first === undefined || second === undefined) return false
  first.searchParams.set("page", "2")
  const base = (url: WebUrl.WebUrl) => `${url.protocol}//${url.host}${url.pathname}${url.hash}`
  if (base(first) !== base(second)) return false
  const left = sortedPairs(first.searchParams)
  const right = sortedPairs(second.searchParams)
  return left.length === right.length && left.every((pair, index) => pair === right[index])
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<PaginatorShape, never, ApiClient | DandiConfig> = Effect.gen(function*() {
  const api = yield* ApiClient
  const config = yield* DandiConfig

  const decoder = <A, I>(item: Schema.Schema<A, I>, onInvalid: OnInvalid | undefined): Decoder<A> => ({
    item: Schema.decodeUnknownEither(item),
    onInvalid: onInvalid ?? config.onInvalid
  })

  /**
   * One page's records, decoded one by one in a plain loop (a page holds up to 1000 records: no
   * Effect per record); a record that does not fit fails the page or is skipped with a warning.
   */
  const decodeResults = <A>(
    decode: Decoder<A>,
    results: ReadonlyArray<unknown>,
    url: string,
    status: number
  ): Effect.Effect<ReadonlyArray<A>, ApiError> =>
    Effect.suspend(() => {
      const decoded: Array<A> = []
      const skipped: Array<string> = []
      for (let position = 0; position < results.length; position++) {
        const raw = results[position]
        const result = decode.item(raw)
        if (Either.isRight(result)) {
          decoded.push(result.right)
          continue
        }
        const what = `${describeRecord(raw, position)}: ${fieldProblem(result.left)}`
        if (decode.onInvalid !== "skip") {
          return Effect.fail(HttpErrors.unexpectedRecord({ method: "GET", url, status, record: raw, what }))
        }
        skipped.push(what)
      }
      if (skipped.length === 0) return Effect.succeed(decoded)
      return Effect.as(
        Effect.forEach(skipped, (what) =>
          Effect.logWarning(`Skipped an unexpected record from GET ${HttpErrors.displayUrl(url)}: ${what}`), {
          discard: true
        }),
        decoded
      )
    })

  const fetchPage = <A>(
    decode: Decoder<A>,
    path: string,
    params: QueryParams | undefined,
    notFound: NotFoundContext | undefined
  ): Effect.Effect<Page<A> & { readonly url: string }, ApiError> =>
    api.jsonReply(Envelope, "GET", path, { params, notFound }).pipe(
      Effect.flatMap(({ status, url, value }) =>
        Effect.map(decodeResults(decode, value.results, url, status), (results) => ({
          count: value.count ?? null,
          next: value.next ?? null,
          results,
          // How many records the server sent: page arithmetic must not shrink with a skipped one.
          sent: value.results.length,
          url
        }))
      )
    )

  /** Serial walk from an absolute `next` URL. */
  const follow = <A>(envelope: Decoder<A>, next: string | null): Stream.Stream<A, ApiError> =>
    next === null
      ? Stream.empty
      : Stream.paginateChunkEffect(next, (url) =>
        Effect.map(fetchPage(envelope, url, undefined, undefined), (page) =>
          [resultsChunk(page), Option.fromNullable(page.next)] as const))

  const cursor = <A, I>(
    item: Schema.Schema<A, I>,
    path: string,
    options?: CursorOptions
  ): Stream.Stream<A, ApiError> => {
    const envelope = decoder(item, options?.onInvalid)
    return Stream.unwrap(
      Effect.map(
        fetchPage(envelope, path, options?.params, options?.notFound),
        (first) => Stream.concat(pageChunk(first), follow(envelope, first.next))
      )
    ).pipe(Stream.withSpan("Paginator.cursor", { attributes: { path } }))
  }

  const pages = <A, I>(
    item: Schema.Schema<A, I>,
    path: string,
    options?: PageOptions
  ): Stream.Stream<A, ApiError> => {
    const envelope = decoder(item, options?.onInvalid)
    const requestedSize = options?.pageSize ?? config.pageSize
    const concurrency = Math.max(1, options?.concurrency ?? config.pageConcurrency)
    const params: QueryParams = { ...options?.params, page_size: requestedSize }

    const numbered = (page: number) =>
      fetchPage(envelope, path, { ...params, page }, undefined).pipe(
        // The listing shrank after page 1 was read: the server calls pages past the end "Invalid page".
        Effect.catchTag("NotFoundError", () =>
          Effect.as(
            Effect.logWarning(`Page ${page} of ${path} no longer exists; the listing changed while it was read`),
            { count: null, next: null, results: [], sent: 0, url: "" } satisfies Page<A> & { url: string }
          ))
      )

    return Stream.unwrap(Effect.gen(function*() {
      const first = yield* fetchPage(envelope, path, params, options?.notFound)
      const head = pageChunk(first)
      if (first.next === null) return head
      if (!isPage2Url(first.url, first.next) || first.sent === 0) {
        return Stream.concat(head, follow(envelope, first.next))
      }
      const size = first.sent
      if (first.count !== null) {
        const total = Math.ceil(first.count / size)
        const lastNext = yield* Ref.make<string | null>(total >= 2 ? null : first.next)
        const rest = Stream.range(2, total).pipe(
          Stream.filter(() => total >= 2),
          Stream.mapEffect(numbered, { concurrency }),
          Stream.tap((page) => Ref.set(lastNext, page.next)),
          Stream.mapConcatChunk(resultsChunk)
        )
        // If items were added while reading, the last computed page still points further.
        const tail = Stream.unwrap(Effect.map(Ref.get(lastNext), (next) => follow(envelope, next)))
        return Stream.concat(head, Stream.concat(rest, tail))
      }
      const rest = Stream.iterate(2, (page) => page + 1).pipe(
        Stream.mapEffect(numbered, { concurrency }),
        Stream.takeUntil((page) => page.next === null || page.sent < size),
        Stream.mapConcatChunk(resultsChunk)
      )
      return Stream.concat(head, rest)
    })).pipe(Stream.withSpan("Paginator.pages", { attributes: { path } }))
  }

  return Paginator.of({ pages, cursor })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Paginator, never, ApiClient | DandiConfig> = Layer.effect(Paginator, make)
