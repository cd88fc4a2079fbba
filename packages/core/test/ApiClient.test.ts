import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Logger, Option, Redacted, Schema, TestClock, Tracer } from "effect"
import { ApiClient, joinUrl, withQuery } from "@dandi-effect/core/ApiClient"
import { StorageClient } from "@dandi-effect/core/StorageClient"
import * as ApiClientModule from "@dandi-effect/core/ApiClient"
import * as Credentials from "@dandi-effect/core/Credentials"
import * as DandiConfig from "@dandi-effect/core/DandiConfig"
import * as Hasher from "@dandi-effect/core/Hasher"
import * as RetryPolicy from "@dandi-effect/core/RetryPolicy"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import { apiUrl, json, stack } from "./http-support/MockHttp.js"

const token = "0123456789abcdef0123456789abcdef01234567"
const withToken = { token: Redacted.make(token) }

const Ok = Schema.Struct({ ok: Schema.Boolean })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const failure = exit.cause._tag === "Fail" ? Option.some(exit.cause.error) : Option.none()
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return failure.value
}

describe("joinUrl (spec client-behaviour.md §2.2)", () => {
  it("joins with exactly one slash and keeps the path's trailing slash", () => {
    expect(joinUrl("https://h/api", "x")).toBe("https://h/api/x")
    expect(joinUrl("https://h/api///", "//dandisets/")).toBe("https://h/api/dandisets/")
  })

  it("passes absolute URLs through unchanged", () => {
    expect(joinUrl("https://h/api", "HTTPS://other.example/x?y=1")).toBe("HTTPS://other.example/x?y=1")
  })
})

describe("withQuery", () => {
  it("omits undefined and null, writes booleans as true/false, repeats arrays", () => {
    expect(withQuery("https://h/api/x/", { a: undefined, b: null, draft: false, embargoed: true, n: 5, k: ["1", "2"] }))
      .toBe("https://h/api/x/?draft=false&embargoed=true&n=5&k=1&k=2")
  })

  it("extends a URL that already has a query", () => {
    expect(withQuery("https://h/x/?after=a%2Fb", { page_size: 10 })).toBe("https://h/x/?after=a%2Fb&page_size=10")
  })
})

describe("ApiClient requests", () => {
  it.effect("sends the token, JSON accept and user agent to the API origin", () => {
    const { layer, log } = stack(() => json({ ok: true }), withToken)
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const result = yield* api.json(Ok, "GET", "/dandisets/", { params: { draft: true, search: undefined } })
      expect(result).toEqual({ ok: true })
      expect(log).toHaveLength(1)
      expect(log[0]!.url).toBe(`${apiUrl}/dandisets/?draft=true`)
      expect(log[0]!.headers["authorization"]).toBe(`token ${token}`)
      expect(log[0]!.headers["accept"]).toBe("application/json")
      expect(log[0]!.headers["user-agent"]).toBe("dandi-effect/0.1.0")
      // The archive's CORS policy does not allow trace headers; browsers would fail the preflight.
      expect(log[0]!.headers["traceparent"]).toBeUndefined()
      expect(log[0]!.headers["b3"]).toBeUndefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("sends a JSON body with its content type", () => {
    const { layer, log } = stack(() => json({ ok: true }, { status: 201 }), withToken)
    return Effect.gen(function*() {
      const api = yield* ApiClient
      yield* api.json(Ok, "POST", "/dandisets/", { params: { embargo: false }, body: { name: "n", metadata: {} } })
      expect(log[0]!.method).toBe("POST")
      expect(log[0]!.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(log[0]!.body)).toEqual({ name: "n", metadata: {} })
    }).pipe(Effect.provide(layer))
  })

  it.effect("decodes an empty 2xx body as null", () => {
    const { layer } = stack(() => new Response(null, { status: 204 }))
    return Effect.gen(function*() {
      const api = yield* ApiClient
      expect(yield* api.json(Schema.Null, "DELETE", "/dandisets/000001/")).toBeNull()
    }).pipe(Effect.provide(layer))
  })

  it.effect("never sends the token to another origin named by an absolute URL", () => {
    const { layer, log } = stack(() => json({ ok: true }), withToken)
    return Effect.gen(function*() {
      const api = yield* ApiClient
      yield* api.json(Ok, "GET", "https://elsewhere.test/x")
      yield* api.json(Ok, "GET", "http://api.test/api/x") // other scheme = other origin
      expect(log.map((r) => r.headers["authorization"])).toEqual([undefined, undefined])
    }).pipe(Effect.provide(layer))
  })

  it.effect("follows a same-origin trailing-slash 301 keeping the token", () => {
    const { layer, log } = stack(
      (request) =>
        request.url.endsWith("/auth/token")
          ? new Response(null, { status: 301, headers: { location: "/api/auth/token/" } })
          : json(token),
      withToken
    )
    return Effect.gen(function*() {
      const api = yield* ApiClient
      expect(yield* api.json(Schema.String, "GET", "/auth/token")).toBe(token)
      expect(log.map((r) => [r.url, r.headers["authorization"]])).toEqual([
        [`${apiUrl}/auth/token`, `token ${token}`],
        [`${apiUrl}/auth/token/`, `token ${token}`]
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("follows a cross-origin 302 without the token", () => {
    const storageUrl = "https://bucket.storage.test/blobs/abc?X-Amz-Signature=secret"
    const { layer, log } = stack(
      (request) =>
        request.url.startsWith(apiUrl)
          ? new Response(null, { status: 302, headers: { location: storageUrl } })
          : new Response("content", { status: 200 }),
      withToken
    )
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const response = yield* api.send("GET", "/assets/a/download/")
      expect(yield* response.text).toBe("content")
      expect(log[1]!.url).toBe(storageUrl)
      expect(log[1]!.headers["authorization"]).toBeUndefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("hands back the raw 302 when asked for manual redirects", () => {
    const { layer, log } = stack(
      () => new Response(null, { status: 302, headers: { location: "https://bucket.storage.test/x" } }),
      withToken
    )
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const response = yield* api.send("HEAD", "/assets/a/download/", { redirect: "manual" })
      expect(response.status).toBe(302)
      expect(response.headers["location"]).toBe("https://bucket.storage.test/x")
      expect(log).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("returns allowed error statuses as responses", () => {
    const { layer } = stack(() =>
      new Response(JSON.stringify("Blob already exists."), { status: 409, headers: { location: "blob-id" } })
    )
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const response = yield* api.send("POST", "/uploads/initialize/", { body: {}, allowStatuses: [409] })
      expect(response.status).toBe(409)
      expect(response.headers["location"]).toBe("blob-id")
    }).pipe(Effect.provide(layer))
  })
})

describe("ApiClient retries (TestClock)", () => {
  it.effect("retries 503 with exponential backoff at exact virtual times", () => {
    const { layer, log } = stack((_, index) => index < 2 ? new Response("busy", { status: 503 }) : json({ ok: true }), {
      retry: { base: Duration.millis(500), factor: 2 }
    })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Ok, "GET", "/info/"))
      yield* TestClock.adjust("1 millis")
      expect(log).toHaveLength(1)
      yield* TestClock.adjust("498 millis")
      expect(log).toHaveLength(1)
      yield* TestClock.adjust("1 millis") // 500 ms: first retry
      expect(log).toHaveLength(2)
      yield* TestClock.adjust("999 millis")
      expect(log).toHaveLength(2)
      yield* TestClock.adjust("1 millis") // 1500 ms: second retry (500 + 1000)
      expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      expect(log).toHaveLength(3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("waits at least as long as Retry-After asks", () => {
    const { layer, log } = stack(
      (_, index) =>
        index === 0 ? new Response("{}", { status: 429, headers: { "retry-after": "10" } }) : json({ ok: true }),
      { retry: { base: Duration.millis(100) } }
    )
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Ok, "GET", "/info/"))
      yield* TestClock.adjust("9999 millis")
      expect(log).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      expect(log).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("caps the backoff", () => {
    const { layer, log } = stack((_, index) => index < 3 ? "reset" : json({ ok: true }), {
      retry: { base: Duration.seconds(1), factor: 10, cap: Duration.seconds(5) }
    })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Ok, "GET", "/info/"))
      yield* TestClock.adjust("1 seconds")
      expect(log).toHaveLength(2)
      yield* TestClock.adjust("5 seconds") // 10 s capped to 5 s
      expect(log).toHaveLength(3)
      yield* TestClock.adjust("5 seconds") // 100 s capped to 5 s
      expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      expect(log).toHaveLength(4)
    }).pipe(Effect.provide(layer))
  })

  it.effect("gives up after the configured attempts with a ServerError that says so", () => {
    const { layer, log } = stack(() => new Response("<h1>Server Error (500)</h1>", { status: 500 }), {
      retry: { attempts: 3, base: Duration.seconds(1) }
    })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(Effect.exit(api.json(Ok, "GET", "/info/")))
      yield* TestClock.adjust("1 minutes")
      const error = failureOf(yield* Fiber.join(fiber))
      expect(log).toHaveLength(3)
      expect(error._tag).toBe("ServerError")
      expect(error.message).toContain("500")
      expect(error.message).toContain("after 3 attempts")
      expect(error.message).toContain("Server Error (500)")
      expect(error.message).toContain("Try again later")
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a dropped connection, then reports a TransportError", () => {
    const { layer, log } = stack(() => "reset", { retry: { attempts: 2 } })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(Effect.exit(api.json(Ok, "GET", "/info/")))
      yield* TestClock.adjust("1 minutes")
      const error = failureOf(yield* Fiber.join(fiber))
      expect(log).toHaveLength(2)
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("Check your network connection")
    }).pipe(Effect.provide(layer))
  })

  it.effect("times out a silent server per attempt", () => {
    const { layer, log } = stack(() => Effect.never, { retry: { attempts: 2, base: Duration.seconds(1) }, requestTimeout: 10_000 })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(Effect.exit(api.json(Ok, "GET", "/info/")))
      yield* TestClock.adjust("10 seconds")
      expect(log).toHaveLength(1)
      yield* TestClock.adjust("1 seconds")
      expect(log).toHaveLength(2)
      yield* TestClock.adjust("10 seconds")
      const error = failureOf(yield* Fiber.join(fiber))
      expect(error._tag).toBe("TransportError")
      if (error._tag === "TransportError") expect(error.reason).toBe("Timeout")
    }).pipe(Effect.provide(layer))
  })

  it.effect("does not retry a 404", () => {
    const { layer, log } = stack(() => json({ detail: "Not found." }, { status: 404 }))
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const error = yield* Effect.flip(api.json(Ok, "GET", "/dandisets/000001/"))
      expect(error._tag).toBe("NotFoundError")
      expect(log).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })
})

describe("ApiClient error mapping (server-contract.md §1.5 body shapes)", () => {
  const failWith = (response: () => Response, options: { readonly notFound?: { resource: string; id: string; message: string } } = {}) => {
    const { layer } = stack(response, withToken)
    return Effect.gen(function*() {
      const api = yield* ApiClient
      return yield* Effect.flip(api.json(Ok, "GET", "/dandisets/000001/?secret=1", options))
    }).pipe(Effect.provide(layer))
  }

  it.effect("404 with a caller's wording becomes that NotFoundError", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json({ detail: "Not found." }, { status: 404 }), {
        notFound: { resource: "dandiset", id: "000001", message: "No such Dandiset: '000001'." }
      })
      expect(error).toMatchObject({ _tag: "NotFoundError", resource: "dandiset", id: "000001", message: "No such Dandiset: '000001'." })
    }))

  it.effect("404 with Django's HTML page names the URL, without its query", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() =>
        new Response("<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", {
          status: 404,
          headers: { "content-type": "text/html" }
        })
      )
      expect(error._tag).toBe("NotFoundError")
      expect(error.message).toContain(`${apiUrl}/dandisets/000001/`)
      expect(error.message).toContain("Not Found")
      expect(error.message).not.toContain("secret")
      expect(error.message).not.toContain("<h1>")
    }))

  it.effect("401 becomes AuthenticationError telling how to fix the key", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json({ detail: "Invalid token." }, { status: 401 }))
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("Invalid token.")
      expect(error.message).toContain("TEST_API_KEY")
      expect(error.message).not.toContain(token)
    }))

  it.effect("403 with an empty body becomes PermissionError", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => new Response("", { status: 403, headers: { "content-type": "text/html" } }))
      expect(error._tag).toBe("PermissionError")
      expect(error.message).toContain("no details")
      expect(error.message).toContain("own the dandiset")
    }))

  it.effect("409 with a bare JSON string becomes ConflictError", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json("Dandiset is currently publishing.", { status: 409 }))
      expect(error).toMatchObject({ _tag: "ConflictError", status: 409, detail: "Dandiset is currently publishing." })
    }))

  it.effect("423 becomes ConflictError", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json("Dandiset is locked.", { status: 423 }))
      expect(error).toMatchObject({ _tag: "ConflictError", status: 423 })
    }))

  it.effect("400 field errors are listed field by field", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() =>
        json({ name: ["This field is required."], non_field_errors: ["Path must not begin with /"] }, { status: 400 })
      )
      expect(error).toMatchObject({
        _tag: "RequestRejectedError",
        status: 400,
        detail: "name: This field is required.; Path must not begin with /"
      })
    }))

  it.effect("400 with a list of field-error objects skips the empty ones", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json([{}, { path: ["Zarr path cannot contain \"..\" components."] }], { status: 400 }))
      expect(error).toMatchObject({ detail: "path: Zarr path cannot contain \"..\" components." })
    }))

  it.effect("400 with a list of strings joins them", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => json(["Cannot remove all draft owners"], { status: 400 }))
      expect(error).toMatchObject({ detail: "Cannot remove all draft owners" })
    }))

  it.effect("a very long body is truncated in the detail", () =>
    Effect.gen(function*() {
      const error = yield* failWith(() => new Response("x".repeat(5000), { status: 400 }))
      if (error._tag !== "RequestRejectedError") throw new Error(error._tag)
      expect(error.detail.length).toBeLessThan(1100)
      expect(error.detail).toContain("5000-char response truncated")
    }))
})

describe("ApiClient decoding", () => {
  /** The error of GET /info/ under a 3-attempt policy, and how many requests were made. */
  const decodeCounting = (response: () => Response) => {
    const { layer, log } = stack(response, { retry: { attempts: 3, base: Duration.seconds(1) } })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(Effect.flip(api.json(Ok, "GET", "/info/")))
      yield* TestClock.adjust("1 minutes")
      return { error: yield* Fiber.join(fiber), requests: log.length }
    }).pipe(Effect.provide(layer))
  }
  const decode = (response: () => Response) => Effect.map(decodeCounting(response), ({ error }) => error)

  it.effect("malformed JSON in a 200 is retried like a broken connection, then becomes ResponseDecodeError", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* decodeCounting(() => new Response("{\"ok\": tru", { status: 200 }))
      expect(requests).toBe(3)
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", status: 200, excerpt: "{\"ok\": tru" })
      expect(error.message).toContain("3 attempts")
    }))

  it.effect("a 200 body that is not valid UTF-8 is never decoded into a record: retried, then ResponseDecodeError", () =>
    Effect.gen(function*() {
      // {"ok":"yes"} with one byte flipped inside the string: a lenient decoder would read U+FFFD and parse it.
      const damaged = new Uint8Array([...new TextEncoder().encode("{\"ok\":\"y"), 0xe5, ...new TextEncoder().encode("s\"}")])
      const { error, requests } = yield* decodeCounting(() => new Response(damaged, { status: 200 }))
      expect(requests).toBe(3)
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.message).toContain("not valid UTF-8")
    }))

  it.effect("a damaged body followed by a good one: the good one is what the caller gets", () => {
    let calls = 0
    const { layer } = stack(() =>
      ++calls === 1 ? new Response(new Uint8Array([0x7b, 0xff, 0x7d]), { status: 200 }) : json({ ok: true }), {
      retry: { attempts: 3, base: Duration.seconds(1) }
    })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Ok, "GET", "/info/"))
      yield* TestClock.adjust("1 minutes")
      expect(yield* Fiber.join(fiber)).toEqual({ ok: true })
      expect(calls).toBe(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an HTML 200 becomes ResponseDecodeError with a short excerpt", () =>
    Effect.gen(function*() {
      const page = `<!doctype html><html><body>${"<p>captive portal</p>".repeat(200)}</body></html>`
      const error = yield* decode(() => new Response(page, { status: 200, headers: { "content-type": "text/html" } }))
      if (error._tag !== "ResponseDecodeError") throw new Error(error._tag)
      expect(error.excerpt.startsWith("<!doctype html>")).toBe(true)
      expect(error.excerpt.length).toBeLessThanOrEqual(550)
      expect(error.message).toContain("instance URL")
    }))

  it.effect("JSON of the wrong shape becomes ResponseDecodeError naming the problem", () =>
    Effect.gen(function*() {
      const error = yield* decode(() => json({ ok: "yes" }))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.message).toContain("ok")
    }))
})

describe("ApiClient never leaks the token", () => {
  it.effect("an AuthenticationError carries no trace of the token", () => {
    const { layer } = stack(() => json({ detail: "Invalid token." }, { status: 401 }), withToken)
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const exit = yield* Effect.exit(api.json(Ok, "GET", "/auth/token/"))
      const error = failureOf(exit)
      expect(error._tag).toBe("AuthenticationError")
      for (const text of [error.message, String(error), JSON.stringify(error), String(exit), JSON.stringify(exit)]) {
        expect(text).not.toContain(token)
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("transport errors on a presigned URL drop the signature", () => {
    const { layer } = stack(() => "reset", { retry: { attempts: 1 } })
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const error = yield* Effect.flip(api.send("GET", "https://bucket.test/x?X-Amz-Signature=abcdef"))
      expect(error.message).not.toContain("abcdef")
    }).pipe(Effect.provide(layer))
  })
})


describe("RetryPolicy.delay", () => {
  it("keeps jittered waits within ± jitter of the exponential wait, and under the cap", () => {
    const policy = { attempts: 5, base: Duration.seconds(1), factor: 2, cap: Duration.seconds(3), jitter: 0.25 }
    expect(Duration.toMillis(RetryPolicy.delay(policy, 2, 0))).toBe(1500)
    expect(Duration.toMillis(RetryPolicy.delay(policy, 2, 0.999999))).toBe(2500)
    expect(Duration.toMillis(RetryPolicy.delay(policy, 4, 0.999999))).toBe(3000)
  })

  it("never waits less than Retry-After", () => {
    expect(Duration.toMillis(RetryPolicy.delay(RetryPolicy.defaultPolicy, 1, 0.5, 30))).toBe(30_000)
  })
})

describe("spans and logs", () => {
  it.effect("carry neither the token nor presigned query strings", () => {
    const spans: Array<Tracer.Span> = []
    const messages: Array<string> = []
    const logger = Logger.make(({ message }) => {
      messages.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    const { layer } = stack(
      (request, index) =>
        request.url.startsWith(apiUrl)
          ? json({ ok: true })
          : new Response("", { status: index === 1 ? 503 : 200, headers: { etag: "\"abc\"" } }),
      { ...withToken, retry: { base: Duration.millis(1) } }
    )
    return Effect.gen(function*() {
      const native = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (...args) => {
          const span = native.span(...args)
          spans.push(span)
          return span
        },
        context: native.context
      })
      const api = yield* ApiClient
      const storage = yield* StorageClient
      const run = Effect.gen(function*() {
        yield* api.json(Ok, "GET", "/dandisets/")
        const fiber = yield* Effect.fork(storage.put("https://bucket.test/p?X-Amz-Signature=sig123", new Uint8Array(3)))
        yield* TestClock.adjust("1 seconds")
        yield* Fiber.join(fiber)
      })
      yield* run.pipe(Effect.withTracer(tracer), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(spans.map((span) => span.name)).toContain("ApiClient.json")
      expect(spans.map((span) => span.name)).toContain("StorageClient.put")
      expect(messages.some((message) => message.includes("Will retry PUT https://bucket.test/p"))).toBe(true)
      for (const span of spans) {
        const attributes = JSON.stringify([...span.attributes.entries()].map(([k, v]) => [k, String(v)]))
        expect(attributes).not.toContain(token)
        expect(attributes).not.toContain("sig123")
      }
      for (const message of messages) {
        expect(message).not.toContain(token)
        expect(message).not.toContain("sig123")
      }
    }).pipe(Effect.provide(layer))
  })
})

describe("ApiClient over the in-process emulator with injected faults", () => {
  const Listing = Schema.Struct({ count: Schema.Number, results: Schema.Array(Schema.Unknown) })

  const emulated = (plan: Faults.FaultPlan, hits: Array<string>) => {
    const emulator = InProcessHttp.layerInProcess({
      faults: plan,
      reportFault: (line) => Effect.sync(() => hits.push(line))
    }).pipe(Layer.provide(Hasher.layerPortable))
    const config = DandiConfig.layerStatic({
      instance: { name: "emu", gui: null, api: InProcessHttp.defaultApiUrl },
      retry: { jitter: 0, base: Duration.millis(100), attempts: 5 }
    })
    return ApiClientModule.layer.pipe(
      Layer.provideMerge(Layer.mergeAll(config, Credentials.layer())),
      Layer.provideMerge(emulator)
    )
  }

  it.effect("honours the emulator's 429 Retry-After", () => {
    const hits: Array<string> = []
    const plan: Faults.FaultPlan = {
      rules: [{ target: "api", method: "GET", pathPrefix: "/api/dandisets/", times: 2, action: "status", status: 429, retryAfter: 3 }]
    }
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const fiber = yield* Effect.fork(api.json(Listing, "GET", "/dandisets/"))
      yield* TestClock.adjust("2999 millis")
      expect(hits).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(hits).toHaveLength(2)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("3 seconds")
      expect((yield* Fiber.join(fiber)).count).toBe(0)
    }).pipe(Effect.provide(emulated(plan, hits)))
  })

  it.effect("recovers from a reset connection and from a truncated body", () => {
    const hits: Array<string> = []
    const plan: Faults.FaultPlan = {
      rules: [
        { target: "api", pathPrefix: "/api/dandisets/", times: 1, action: "reset", afterBytes: 0 },
        { target: "api", pathPrefix: "/api/info/", times: 1, action: "truncate", afterBytes: 10 }
      ]
    }
    return Effect.gen(function*() {
      const api = yield* ApiClient
      const listing = yield* Effect.fork(api.json(Listing, "GET", "/dandisets/"))
      const info = yield* Effect.fork(api.json(Schema.Struct({ version: Schema.String }), "GET", "/info/"))
      yield* TestClock.adjust("1 seconds")
      expect((yield* Fiber.join(listing)).count).toBe(0)
      expect((yield* Fiber.join(info)).version).toBe("1.0.0")
      expect(hits).toHaveLength(2)
    }).pipe(Effect.provide(emulated(plan, hits)))
  })
})
