import { describe, expect, it } from "@effect/vitest"
import { HttpClient } from "@effect/platform"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { DandiConfig } from "@dandi-effect/core/DandiConfig"
import * as DandiConfigModule from "@dandi-effect/core/DandiConfig"
import { json, mockClient, type Handler } from "./http-support/MockHttp.js"

const serverInfo = (api: string, webui?: string, extra: Record<string, unknown> = {}) =>
  json({
    version: "1.0.0",
    "cli-minimal-version": "0.74.0",
    "cli-bad-versions": [],
    services: { api: { url: api }, ...(webui === undefined ? {} : { webui: { url: webui } }) },
    ...extra
  })

const resolveWith = (handler: Handler, options: DandiConfigModule.DandiConfigOptions) => {
  const { client, log } = mockClient(handler)
  const effect = Effect.map(DandiConfig, (config) => config.instance).pipe(
    Effect.provide(DandiConfigModule.layer(options).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client))))
  )
  return { effect, log }
}

const record = (instance: { name: string; gui: string | null; api: string }) => ({
  name: instance.name,
  gui: instance.gui,
  api: instance.api
})

describe("instance discovery (spec client-behaviour.md §1.2 vectors)", () => {
  it.effect("a known name asks its /info/ and takes the announced URLs", () => {
    const { effect, log } = resolveWith(() => serverInfo("https://api.dandi", "https://gui.dandi"), { instance: "dandi" })
    return Effect.gen(function*() {
      expect(record(yield* effect)).toEqual({ name: "dandi", gui: "https://gui.dandi", api: "https://api.dandi" })
      expect(log.map((r) => r.url)).toEqual(["https://api.dandiarchive.org/api/info/"])
    })
  })

  it.effect("an unknown web URL asks /server-info and is named after the API host", () => {
    const { effect, log } = resolveWith(() => serverInfo("https://api.dandi", "https://gui.dandi"), {
      instance: "https://example.dandi/"
    })
    return Effect.gen(function*() {
      expect(record(yield* effect)).toEqual({ name: "api.dandi", gui: "https://gui.dandi", api: "https://api.dandi" })
      expect(log.map((r) => r.url)).toEqual(["https://example.dandi/server-info"])
    })
  })

  it.effect("https://example.test/ → api.example.test", () => {
    const { effect } = resolveWith(() => serverInfo("https://api.example.test/api", "https://example.test"), {
      instance: "https://example.test/"
    })
    return Effect.map(effect, (instance) =>
      expect(record(instance)).toEqual({
        name: "api.example.test",
        gui: "https://example.test",
        api: "https://api.example.test/api"
      }))
  })

  it.effect("an API URL: /server-info 404, then /api/info/ with no web UI", () => {
    const { effect, log } = resolveWith(
      (request) =>
        request.url.endsWith("/server-info")
          ? json({ detail: "Not found." }, { status: 404 })
          : serverInfo("https://api.example.test/api"),
      { instance: "https://api.example.test/api/" }
    )
    return Effect.gen(function*() {
      expect(record(yield* effect)).toEqual({ name: "api.example.test", gui: null, api: "https://api.example.test/api" })
      expect(log.map((r) => r.url)).toEqual([
        "https://api.example.test/server-info",
        "https://api.example.test/api/info/"
      ])
    })
  })

  for (const input of ["dandi", "https://dandiarchive.org"]) {
    it.effect(`${input} falls back to the built-in record when the server cannot be reached`, () => {
      const { effect } = resolveWith(() => "reset", { instance: input })
      return Effect.map(effect, (instance) =>
        expect(record(instance)).toEqual({
          name: "dandi",
          gui: "https://dandiarchive.org",
          api: "https://api.dandiarchive.org/api"
        }))
    })
  }

  it.effect("an unknown URL whose server gives no info is an UnknownInstanceError", () => {
    const { effect } = resolveWith(() => new Response("<h1>Not Found</h1>", { status: 404 }), {
      instance: "https://dandi.nil"
    })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(effect)
      expect(error._tag).toBe("UnknownInstanceError")
      expect(error.message).toContain("Could not retrieve server info from https://dandi.nil")
    })
  })

  it.effect("an unknown name is an UnknownInstanceError listing the known ones, with no request", () => {
    const { effect, log } = resolveWith(() => serverInfo("https://x/api"), { instance: "dandy" })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(effect)
      expect(error._tag).toBe("UnknownInstanceError")
      expect(error.message).toContain("dandi-sandbox")
      expect(log).toHaveLength(0)
    })
  })

  it.effect("dandi-cli's version gate does not apply to this SDK", () => {
    const { effect } = resolveWith(
      () => serverInfo("https://api.dandi", "https://gui.dandi", { "cli-minimal-version": "99.99.99", "cli-bad-versions": ["0.1.0"] }),
      { instance: "dandi" }
    )
    return Effect.map(effect, (instance) => expect(instance.api).toBe("https://api.dandi"))
  })

  it.effect("discover: false uses an API URL as given, with no request", () => {
    const { effect, log } = resolveWith(() => "reset", { instance: "http://127.0.0.1:8123/api/", discover: false })
    return Effect.gen(function*() {
      expect(record(yield* effect)).toEqual({ name: "127.0.0.1:8123", gui: null, api: "http://127.0.0.1:8123/api" })
      expect(log).toHaveLength(0)
    })
  })
})

describe("DandiConfig settings", () => {
  const noNetwork = Layer.succeed(HttpClient.HttpClient, mockClient(() => "reset").client)

  it.effect("defaults: pages of 1000, two in flight, dandi-effect user agent", () =>
    Effect.gen(function*() {
      const config = yield* DandiConfig
      expect(config.pageSize).toBe(1000)
      expect(config.pageConcurrency).toBe(2)
      expect(config.userAgent).toBe("dandi-effect/0.1.0")
      expect(config.instance.name).toBe("dandi")
    }).pipe(Effect.provide(DandiConfigModule.layer({ discover: false }).pipe(Layer.provide(noNetwork)))))

  it.effect("layerConfig reads DANDI_* settings through Config", () =>
    Effect.gen(function*() {
      const config = yield* DandiConfig
      expect(config.instance.api).toBe("http://127.0.0.1:9000/api")
      expect(config.pageSize).toBe(50)
      expect(config.pageConcurrency).toBe(3)
      expect(config.retry.attempts).toBe(4)
      expect(Duration.toMillis(config.requestTimeout)).toBe(5000)
    }).pipe(
      Effect.provide(DandiConfigModule.layerConfig({ discover: false }).pipe(Layer.provide(noNetwork))),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([
        ["DANDI_INSTANCE", "http://127.0.0.1:9000/api"],
        ["DANDI_PAGE_SIZE", "50"],
        ["DANDI_PAGE_CONCURRENCY", "3"],
        ["DANDI_RETRY_ATTEMPTS", "4"],
        ["DANDI_REQUEST_TIMEOUT", "5 seconds"]
      ])))
    ))

  it.effect("a page size of 0 is refused with a message giving the valid range", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(DandiConfig, DandiConfigModule.layer({ discover: false, pageSize: 0 }).pipe(Layer.provide(noNetwork)))
      )
      expect(String(error)).toContain("page size must be a whole number from 1 to 1000")
    }))

  it.effect("a page size above the archive's 1000 is refused (the server would cap it without saying so)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(DandiConfig, DandiConfigModule.layer({ discover: false, pageSize: 1001 }).pipe(Layer.provide(noNetwork)))
      )
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("page size must be a whole number from 1 to 1000 (got 1001)")
    }))

  it.effect("a DANDI_PAGE_SIZE above 1000 is refused too", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(DandiConfig, DandiConfigModule.layerConfig({ discover: false }).pipe(Layer.provide(noNetwork)))
      )
      expect(String(error)).toContain("from 1 to 1000")
    }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DANDI_PAGE_SIZE", "5000"]])))))

  it.effect("a non-numeric DANDI_PAGE_SIZE is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(DandiConfig, DandiConfigModule.layerConfig({ discover: false }).pipe(Layer.provide(noNetwork)))
      )
      expect(error._tag).not.toBe("UnknownInstanceError")
      expect(String(error)).toContain("DANDI_PAGE_SIZE")
    }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DANDI_PAGE_SIZE", "lots"]])))))

  it.effect("a retry policy with no attempts is refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(
          DandiConfig,
          DandiConfigModule.layer({ discover: false, retry: { attempts: 0 } }).pipe(Layer.provide(noNetwork))
        )
      )
      expect(String(error)).toContain("retry attempts must be a whole number ≥ 1")
    }))
})
