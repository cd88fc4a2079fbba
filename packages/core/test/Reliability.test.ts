/**
 * docs/RELIABILITY.md, API side: each fault or bad input, injected by the emulator's fault rules
 * and hostile seeds (in-process, on the Effect clock) or by a scripted server, and what the SDK
 * does about it. A row of the table names the test here that proves it.
 */
import { ApiClient } from "@dandi-effect/core/ApiClient"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Fiber, Layer, Logger, Option, Schema, Stream, TestClock } from "effect"
import { json, stack } from "./http-support/MockHttp.js"

const bytes = (text: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(text) }) as const
const ASSETS = "/api/dandisets/000001/versions/draft/assets/"

/** The in-process emulator with `plan`, and the SDK over it (jitter off, short waits). */
const archive = (plan: Faults.FaultPlan, onInvalid: "fail" | "skip" = "fail") => {
  const emulator = InProcessHttp.layerInProcess({ faults: plan, reportFault: () => Effect.void }).pipe(
    Layer.provideMerge(Hasher.layerPortable)
  )
  const sdk = DandiApi.layer({
    instance: { name: "emu", gui: null, api: InProcessHttp.defaultApiUrl },
    discover: false,
    onInvalid,
    retry: { attempts: 4, base: Duration.millis(100), jitter: 0 }
  })
  return sdk.pipe(Layer.provideMerge(Layer.merge(emulator, TokenStore.layerMemory)))
}

const seedThree = Effect.gen(function*() {
  const { admin } = yield* ArchiveEmulator
  yield* admin.createDandiset({ identifier: "000001", name: "Three assets", owners: [] })
  for (const name of ["a.nwb", "b.nwb", "c é ü.nwb"]) yield* admin.addBlobAsset("000001", `sub-1/${name}`, bytes(name))
})

/** The listing as path:size lines, with the clock stepped until it ends; or its failure. */
const listing = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const fiber = yield* Effect.fork(Effect.either(Stream.runCollect(api.listAssets("000001", "draft"))))
  yield* TestClock.adjust("10 minutes")
  const result = yield* Fiber.join(fiber)
  return result._tag === "Right"
    ? { _tag: "Listed" as const, items: Chunk.toReadonlyArray(result.right).map((asset) => `${asset.path}:${asset.size}`) }
    : { _tag: "Failed" as const, error: result.left }
})

const expected = ["sub-1/a.nwb:5", "sub-1/b.nwb:5", "sub-1/c é ü.nwb:11"]

describe("Reliability: damaged answers (API side)", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    it.effect(`a listing page with a flipped byte (corrupt, seed ${seed}) is read again: the listing is the fault-free one`, () =>
      Effect.gen(function*() {
        yield* seedThree
        expect(yield* listing).toEqual({ _tag: "Listed", items: expected })
      }).pipe(Effect.provide(archive({ seed, rules: [{ target: "api", pathPrefix: ASSETS, times: 1, action: "corrupt" }] }))))
  }

  it.effect("a listing damaged on every attempt fails with ResponseDecodeError and returns nothing", () =>
    Effect.gen(function*() {
      yield* seedThree
      const result = yield* listing
      if (result._tag !== "Failed") throw new Error("a damaged listing was returned as data")
      expect(result.error._tag).toBe("ResponseDecodeError")
      expect(result.error.message).toContain("4 attempts")
    }).pipe(Effect.provide(archive({ seed: 3, rules: [{ target: "api", pathPrefix: ASSETS, action: "corrupt" }] }))))

  for (const status of [500, 502, 503, 504, 429]) {
    it.effect(`${status} once is retried and the listing is complete`, () =>
      Effect.gen(function*() {
        yield* seedThree
        expect(yield* listing).toEqual({ _tag: "Listed", items: expected })
      }).pipe(Effect.provide(archive({ rules: [{ target: "api", pathPrefix: ASSETS, times: 1, action: "status", status }] }))))
  }

  it.effect("500 on every attempt: a ServerError that says the status once and how many attempts were made", () =>
    Effect.gen(function*() {
      yield* seedThree
      const result = yield* listing
      if (result._tag !== "Failed") throw new Error("expected a failure")
      expect(result.error._tag).toBe("ServerError")
      expect(result.error.message).toContain("after 4 attempts")
      expect(result.error.message.split("Internal Server Error")).toHaveLength(2)
    }).pipe(Effect.provide(archive({ rules: [{ target: "api", pathPrefix: ASSETS, action: "status", status: 500 }] }))))

  it.effect("reset before the answer and a body cut short are retried: the listing is complete", () =>
    Effect.gen(function*() {
      yield* seedThree
      expect(yield* listing).toEqual({ _tag: "Listed", items: expected })
    }).pipe(Effect.provide(archive({
      rules: [
        { target: "api", pathPrefix: ASSETS, times: 1, action: "reset" },
        { target: "api", pathPrefix: ASSETS, times: 1, action: "truncate", afterBytes: 40 }
      ]
    }))))
})

describe("Reliability: bad records (hostile seeds)", () => {
  const seedBad = Effect.gen(function*() {
    yield* seedThree
    const { admin } = yield* ArchiveEmulator
    yield* admin.addRecordAsset("000001", {
      asset_id: "0a0b0c0d-0000-4000-8000-00000000000a",
      blob: "0a0b0c0d-0000-4000-8000-00000000000b",
      path: "sub-1/negative.nwb",
      size: -5,
      metadata: { path: "sub-1/negative.nwb" }
    })
    yield* admin.addRecordAsset("000001", {
      asset_id: "0a0b0c0d-0000-4000-8000-00000000000c",
      path: "sub-1/nothing.nwb",
      size: 1,
      metadata: { path: "sub-1/nothing.nwb" }
    })
  })

  it.effect("fail: the error names the asset and the field, as an unexpected record (not a proxy)", () =>
    Effect.gen(function*() {
      yield* seedBad
      const result = yield* listing
      if (result._tag !== "Failed") throw new Error("expected a failure")
      expect(result.error._tag).toBe("ResponseDecodeError")
      expect(result.error.message).toContain("The server sent an unexpected record")
      expect(result.error.message).toContain("asset \"sub-1/negative.nwb\" (asset_id 0a0b0c0d-0000-4000-8000-00000000000a)")
      expect(result.error.message).toContain("field size")
      expect(result.error.message).not.toContain("captive portal")
    }).pipe(Effect.provide(archive({ rules: [] }))))

  it.effect("skip: the good assets are listed, each bad one reported naming the asset and the field", () => {
    const warnings: Array<string> = []
    const logger = Logger.make(({ message }) => {
      warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.gen(function*() {
      yield* seedBad
      expect(yield* listing).toEqual({ _tag: "Listed", items: expected })
      expect(warnings.filter((line) => line.includes("unexpected record"))).toHaveLength(2)
      expect(warnings.join("\n")).toContain("asset \"sub-1/nothing.nwb\" (asset_id 0a0b0c0d-0000-4000-8000-00000000000c): field blob")
      expect(warnings.join("\n")).toContain("asset \"sub-1/negative.nwb\"")
    }).pipe(Effect.provide(archive({ rules: [] }, "skip")), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })
})

describe("Reliability: hostile servers (scripted)", () => {
  const Ok = Schema.Struct({ ok: Schema.Boolean })
  const getInfo = (handler: Parameters<typeof stack>[0], retry = { attempts: 3, base: Duration.seconds(1) }) => {
    const { layer, log } = stack(handler, { retry })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(Effect.either(api.json(Ok, "GET", "/info/")))
      yield* TestClock.adjust("10 minutes")
      return { result: yield* Fiber.join(fiber), requests: log.length }
    }).pipe(Effect.provide(layer))
  }

  it.effect("429 with Retry-After as an HTTP date: the client waits until that date", () => {
    let calls = 0
    const { layer } = stack(() =>
      ++calls === 1
        ? new Response("", { status: 429, headers: { "retry-after": new Date(Date.UTC(1970, 0, 1, 0, 0, 30)).toUTCString() } })
        : json({ ok: true }), { retry: { attempts: 3, base: Duration.millis(100) } })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Ok, "GET", "/info/"))
      yield* TestClock.adjust("29 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 seconds")
      expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      expect(calls).toBe(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a proxy's HTML 502 page: a ServerError that says '502 Bad Gateway' once", () =>
    Effect.gen(function*() {
      const page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
      const { result } = yield* getInfo(() => new Response(page, { status: 502, headers: { "content-type": "text/html" } }))
      if (result._tag !== "Left") throw new Error("expected a failure")
      expect(result.left._tag).toBe("ServerError")
      expect(result.left.message.split("Bad Gateway")).toHaveLength(2)
      expect(result.left.message).toContain("after 3 attempts")
    }))

  it.effect("10 MB of garbage on a 200: retried, then a ResponseDecodeError with a short excerpt", () =>
    Effect.gen(function*() {
      const garbage = new Uint8Array(10 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
      const { requests, result } = yield* getInfo(() => new Response(garbage, { status: 200 }))
      if (result._tag !== "Left") throw new Error("garbage was returned as data")
      expect(requests).toBe(3)
      expect(result.left._tag).toBe("ResponseDecodeError")
      expect(result.left.message.length).toBeLessThan(800)
      if (result.left._tag === "ResponseDecodeError") expect(result.left.excerpt.length).toBeLessThan(700)
    }))

  it.effect("10 MB of text as an error page: the detail is cut to about 1 KB", () =>
    Effect.gen(function*() {
      const { result } = yield* getInfo(() => new Response("garbage ".repeat(1_310_720), { status: 500 }))
      if (result._tag !== "Left") throw new Error("expected a failure")
      expect(result.left._tag).toBe("ServerError")
      expect(result.left.message.length).toBeLessThan(1400)
    }))

  it.effect("a redirect loop stops after 10 hops with a TransportError, without retrying", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* getInfo((request) =>
        new Response("", { status: 302, headers: { location: request.url } })
      )
      if (result._tag !== "Left") throw new Error("expected a failure")
      expect(result.left._tag).toBe("TransportError")
      expect(result.left.message).toContain("more than 10 redirects")
      expect(requests).toBe(11)
    }))
})

