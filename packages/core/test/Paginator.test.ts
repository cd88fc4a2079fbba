import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Logger, Option, Schema, Stream, TestClock } from "effect"
import { isPage2Url, Paginator } from "@dandi-effect/core/Paginator"
import { apiUrl, json, pagingServer, stack } from "./http-support/MockHttp.js"

describe("isPage2Url (spec client-behaviour.md §3 vectors)", () => {
  const base = "https://example.com/api/fruits"
  const vectors: ReadonlyArray<readonly [string, string, boolean]> = [
    [base, `${base}?page=2`, true],
    [base, base, false],
    [base, "http://example.com/api/fruits?page=2", false],
    [base, "https://example.com/api/fruits/?page=2", false],
    [base, "https://api.example.com/api/fruits?page=2", false],
    [base, "/api/fruits?page=2", false],
    [`${base}?page=1`, `${base}?page=2`, true],
    [`${base}?per_page=100`, `${base}?per_page=100&page=2`, true],
    [`${base}?per_page=100`, `${base}?page=2&per_page=100`, true],
    [`${base}?per_page=100`, `${base}?page=2`, false],
    [`${base}?per_page=100&order=path`, `${base}?page=2&per_page=100&order=path`, true],
    [`${base}?per_page=100&order=path`, `${base}?order=path&page=2&per_page=100`, true],
    [`${base}?per_page=100&order=path`, `${base}?page=2&per_page=100`, false],
    [`${base}#here`, `${base}?page=2#here`, true],
    [base, `${base}?page=2#here`, false],
    [`${base}#here`, `${base}?page=2`, false],
    [`${base}#here`, `${base}?page=2#there`, false],
    [`${base}?path=åßç`, `${base}?page=2&path=%C3%A5%C3%9F%C3%A7`, true]
  ]
  for (const [page1, page2, expected] of vectors) {
    it(`${page1} -> ${page2} : ${expected}`, () => {
      expect(isPage2Url(page1, page2)).toBe(expected)
    })
  }
})

const Item = Schema.Struct({ n: Schema.Number })
const numbers = (count: number) => Array.from({ length: count }, (_, i) => i + 1)

const collect = (stream: Stream.Stream<{ readonly n: number }, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk).map((item) => item.n))

/** Runs `effect` while advancing virtual time until it finishes. */
const runWithClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < 200; step++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) break
      yield* TestClock.adjust("50 millis")
    }
    return yield* Fiber.join(fiber)
  })

const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams)

describe("Paginator.pages", () => {
  it.effect("makes the spec's request plan: page 1 with page_size, then page=2..7 (26 items, size 4)", () => {
    const { layer, log } = stack(pagingServer({ total: 26 }))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const items = yield* collect(paginator.pages(Item, "/dandisets/000001/versions/draft/assets/", {
        params: { order: "path" },
        pageSize: 4
      }))
      expect(items).toEqual(numbers(26))
      expect(log.map((r) => queryOf(r.url))).toEqual([
        { order: "path", page_size: "4" },
        ...[2, 3, 4, 5, 6, 7].map((page) => ({ order: "path", page_size: "4", page: String(page) }))
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("keeps server order when later pages arrive first", () => {
    const { layer } = stack(pagingServer({ total: 40, delay: (page) => `${(12 - page) * 100} millis` }), {
      pageConcurrency: 4
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* runWithClock(collect(paginator.pages(Item, "/dandisets/", { pageSize: 4 })))).toEqual(numbers(40))
    }).pipe(Effect.provide(layer))
  })

  it.effect("uses the real page size when the server caps page_size", () => {
    const { layer, log } = stack(pagingServer({ total: 23, maxPageSize: 5 }))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/dandisets/", { pageSize: 1000 }))).toEqual(numbers(23))
      expect(log).toHaveLength(5)
    }).pipe(Effect.provide(layer))
  })

  it.effect("reads the lazy nested asset list (count null after page 1)", () => {
    const { layer } = stack(pagingServer({ total: 10, lazy: true }))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/dandisets/000001/versions/draft/assets/", { pageSize: 3 })))
        .toEqual(numbers(10))
    }).pipe(Effect.provide(layer))
  })

  it.effect("without any count, fetches ahead until a short or empty page", () => {
    const { layer } = stack(pagingServer({ total: 9, lazy: true, noCount: true }), { pageConcurrency: 3 })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/x/", { pageSize: 3 }))).toEqual(numbers(9))
    }).pipe(Effect.provide(layer))
  })

  it.effect("never has more than `concurrency` pages in flight", () => {
    let inFlight = 0
    let most = 0
    const { layer } = stack(
      pagingServer({
        total: 60,
        delay: (page) => `${100 + (page % 3) * 50} millis`,
        onStart: () => {
          inFlight++
          most = Math.max(most, inFlight)
        },
        onEnd: () => {
          inFlight--
        }
      }),
      { pageConcurrency: 3 }
    )
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* runWithClock(collect(paginator.pages(Item, "/dandisets/", { pageSize: 4 })))).toEqual(numbers(60))
      expect(most).toBe(3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("stopping early interrupts the pages still in flight and fetches no more", () => {
    let interrupted = 0
    const { layer, log } = stack(
      pagingServer({
        total: 400,
        delay: (page) => page <= 2 ? "10 millis" : "1 hours",
        onEnd: (wasInterrupted) => {
          if (wasInterrupted) interrupted++
        }
      }),
      { pageConcurrency: 3 }
    )
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const items = yield* runWithClock(collect(paginator.pages(Item, "/dandisets/", { pageSize: 4 }).pipe(Stream.take(6))))
      expect(items).toEqual(numbers(6))
      expect(log.length).toBeLessThanOrEqual(1 + 3 + 1)
      expect(interrupted).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("follows `next` one page at a time when it is not the page=2 form", () => {
    const { layer, log } = stack((request) => {
      const after = new URL(request.url).searchParams.get("cursor")
      return after === null
        ? json({ count: 4, next: `${apiUrl}/things/?cursor=b`, results: [{ n: 1 }, { n: 2 }] })
        : json({ count: 4, next: null, results: [{ n: 3 }, { n: 4 }] })
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/things/", { pageSize: 2 }))).toEqual([1, 2, 3, 4])
      expect(log.map((r) => r.url)).toEqual([`${apiUrl}/things/?page_size=2`, `${apiUrl}/things/?cursor=b`])
    }).pipe(Effect.provide(layer))
  })

  it.effect("keeps reading when the listing grew past page 1's count", () => {
    // count says 4 (2 pages of 2) but 6 items exist by the time page 2 is read.
    const { layer } = stack((request) => {
      const url = new URL(request.url)
      const page = Number(url.searchParams.get("page") ?? "1")
      const next = new URL(url.toString())
      next.searchParams.set("page", String(page + 1))
      next.searchParams.sort()
      return json({
        count: page === 1 ? 4 : 6,
        next: page < 3 ? next.toString() : null,
        results: [{ n: page * 2 - 1 }, { n: page * 2 }]
      })
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/dandisets/", { pageSize: 2 }))).toEqual(numbers(6))
    }).pipe(Effect.provide(layer))
  })

  it.effect("reports a missing listing with the caller's 404 wording", () => {
    const { layer } = stack(() => json({ detail: "Not found." }, { status: 404 }))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const error = yield* Effect.flip(Stream.runDrain(paginator.pages(Item, "/dandisets/999999/versions/", {
        notFound: { resource: "dandiset", id: "999999", message: "No such Dandiset: '999999'." }
      })))
      expect(error).toMatchObject({ _tag: "NotFoundError", id: "999999" })
    }).pipe(Effect.provide(layer))
  })

  it.effect("decodes every item and fails on one that does not fit", () => {
    const { layer } = stack(() => json({ count: 2, next: null, results: [{ n: 1 }, { n: "two" }] }))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const error = yield* Effect.flip(Stream.runDrain(paginator.pages(Item, "/dandisets/")))
      expect(error._tag).toBe("ResponseDecodeError")
    }).pipe(Effect.provide(layer))
  })
})

describe("Paginator: records that do not fit", () => {
  const Asset = Schema.Struct({ asset_id: Schema.String, path: Schema.String, size: Schema.Number.pipe(Schema.nonNegative()) })
  const page = {
    count: 3,
    next: null,
    results: [
      { asset_id: "a1", path: "ok.nwb", size: 1 },
      { asset_id: "a2", path: "sub-1/bad.nwb", size: -5 },
      { asset_id: "a3", path: "also-ok.nwb", size: 3 }
    ]
  }

  it.effect("fail (default): the error says the server sent an unexpected record, naming the asset and the field", () => {
    const { layer } = stack(() => json(page))
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const error = yield* Effect.flip(Stream.runDrain(paginator.pages(Asset, "/dandisets/000001/versions/draft/assets/")))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.message).toContain("The server sent an unexpected record")
      expect(error.message).toContain("asset \"sub-1/bad.nwb\" (asset_id a2)")
      expect(error.message).toContain("field size")
      expect(error.message).not.toContain("captive portal")
      if (error._tag === "ResponseDecodeError") expect(JSON.parse(error.excerpt)).toEqual(page.results[1])
    }).pipe(Effect.provide(layer))
  })

  it.effect("skip: the listing goes on without it, and a warning names the asset and the field", () => {
    const { layer } = stack(() => json(page))
    const warnings: Array<string> = []
    const logger = Logger.make(({ message }) => {
      warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      const listed = yield* Stream.runCollect(paginator.pages(Asset, "/dandisets/000001/versions/draft/assets/", { onInvalid: "skip" }))
      expect(Chunk.toReadonlyArray(listed).map((asset) => asset.path)).toEqual(["ok.nwb", "also-ok.nwb"])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("asset \"sub-1/bad.nwb\" (asset_id a2)")
      expect(warnings[0]).toContain("field size")
    }).pipe(Effect.provide(layer), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })

  it.effect("skip keeps the page arithmetic of what the server sent", () => {
    const { layer, log } = stack((request) => {
      const pageNumber = Number(new URL(request.url).searchParams.get("page") ?? "1")
      const results = pageNumber === 1 ? [{ n: 1 }, { n: "bad" }] : [{ n: 3 }]
      return json({ count: 3, next: pageNumber === 1 ? `${request.url.split("?")[0]}?page_size=1000&page=2` : null, results })
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.pages(Item, "/dandisets/", { onInvalid: "skip" }))).toEqual([1, 3])
      expect(log).toHaveLength(2)
    }).pipe(Effect.provide(layer), Effect.provide(Logger.remove(Logger.defaultLogger)))
  })
})

describe("Paginator.cursor", () => {
  it.effect("follows `next` serially, sending params only on the first request", () => {
    const { layer, log } = stack((request) => {
      const after = new URL(request.url).searchParams.get("after")
      if (after === null) return json({ next: `${apiUrl}/zarr/z/files/?after=b&prefix=p`, results: [{ n: 1 }, { n: 2 }] })
      if (after === "b") return json({ next: `${apiUrl}/zarr/z/files/?after=d&prefix=p`, results: [{ n: 3 }] })
      return json({ next: null, results: [] })
    })
    return Effect.gen(function*() {
      const paginator = yield* Paginator
      expect(yield* collect(paginator.cursor(Item, "/zarr/z/files/", { params: { prefix: "p" } }))).toEqual([1, 2, 3])
      expect(log.map((r) => r.url)).toEqual([
        `${apiUrl}/zarr/z/files/?prefix=p`,
        `${apiUrl}/zarr/z/files/?after=b&prefix=p`,
        `${apiUrl}/zarr/z/files/?after=d&prefix=p`
      ])
    }).pipe(Effect.provide(layer))
  })
})
