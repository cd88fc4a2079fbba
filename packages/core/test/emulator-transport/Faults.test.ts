import * as Faults from "@dandi-effect/core/testing/Faults"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Ref, Stream, TestClock } from "effect"
import * as Stub from "./StubEmulator.js"

const body4k = Uint8Array.from({ length: 4096 }, (_, i) => (i * 13) & 0xff)

const emulator = Stub.stub((request) => {
  const path = new URL(request.url).pathname
  if (path.endsWith("/list/")) {
    return Stub.json(200, { count: 5, next: null, previous: null, results: [1, 2, 3, 4, 5] })
  }
  return { status: 200, headers: { "content-type": "application/octet-stream" }, body: { _tag: "Bytes", bytes: body4k } }
})

/** Runs `program` against the stub behind `plan`, collecting the reported fault lines. */
const withPlan = <A, E>(
  plan: Faults.FaultPlan,
  program: (lines: Ref.Ref<ReadonlyArray<string>>) => Effect.Effect<A, E, HttpClient.HttpClient>
) =>
  Effect.gen(function*() {
    const lines = yield* Ref.make<ReadonlyArray<string>>([])
    return yield* program(lines).pipe(
      Effect.provide(
        Stub.clientLayer(emulator, { faults: plan, reportFault: (line) => Ref.update(lines, (all) => [...all, line]) })
      )
    )
  })

const statusOf = (url: string) => Effect.map(HttpClient.get(url), (r) => r.status)

describe("fault injection", () => {
  it.effect("answers 429 with Retry-After and DRF's throttle body, and reports one fault line", () =>
    withPlan({ rules: [{ target: "api", action: "status", status: 429, retryAfter: 7 }] }, (lines) =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get(`${Stub.apiUrl}/dandisets/`)
        expect(response.status).toBe(429)
        expect(response.headers["retry-after"]).toBe("7")
        expect(yield* response.json).toEqual({ detail: "Request was throttled. Expected available in 7 seconds." })
        const reported = yield* Ref.get(lines)
        expect(reported).toHaveLength(1)
        expect(reported[0]).toMatch(/^fault: status 429/)
        expect(reported[0]).toContain("/api/dandisets/")
      })))

  it.effect("stops after `times` injections", () =>
    withPlan({ rules: [{ target: "api", action: "status", status: 503, times: 2 }] }, () =>
      Effect.gen(function*() {
        const statuses = yield* Effect.forEach([1, 2, 3, 4], () => statusOf(`${Stub.apiUrl}/info/`))
        expect(statuses).toEqual([503, 503, 200, 200])
      })))

  it.effect("matches by target, method and path prefix", () =>
    withPlan({
      rules: [{ target: "s3", method: "put", pathPrefix: "/blobs/", action: "status", status: 500 }]
    }, () =>
      Effect.gen(function*() {
        expect(yield* statusOf(`${Stub.apiUrl}/blobs/x`)).toBe(200)
        expect(yield* statusOf(`${Stub.storageUrl}/blobs/x`)).toBe(200)
        const put = yield* HttpClient.execute(HttpClientRequest.put(`${Stub.storageUrl}/blobs/x`))
        expect(put.status).toBe(500)
        expect(yield* put.text).toContain("<Code>InternalError</Code>")
        const otherPath = yield* HttpClient.execute(HttpClientRequest.put(`${Stub.storageUrl}/zarr/x`))
        expect(otherPath.status).toBe(200)
      })))

  it.effect("skip lets the first matching requests through before the rule fires", () =>
    withPlan({ rules: [{ target: "api", action: "status", status: 503, skip: 2, times: 1 }] }, () =>
      Effect.gen(function*() {
        const statuses = yield* Effect.forEach([1, 2, 3, 4], () => statusOf(`${Stub.apiUrl}/info/`))
        expect(statuses).toEqual([200, 200, 503, 200])
      })))

  it.effect("ignoreRange: the server sees the request without its Range header, and the fault is reported", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      const echoing = Stub.stub(Stub.echo)
      const seen = yield* HttpClient.execute(
        HttpClientRequest.get(`${Stub.storageUrl}/blob`).pipe(HttpClientRequest.setHeader("range", "bytes=10-"))
      ).pipe(
        Effect.flatMap((response) => response.json),
        Effect.provide(Stub.clientLayer(echoing, {
          faults: { rules: [{ target: "s3", action: "ignoreRange" }] },
          reportFault: (line) => Ref.update(lines, (all) => [...all, line])
        }))
      )
      expect((seen as { headers: Record<string, string> }).headers["range"]).toBeUndefined()
      expect(yield* Ref.get(lines)).toEqual([expect.stringMatching(/^fault: ignoreRange bytes=10- on GET s3 \/blob/)])
    }))

  it.effect("makes the same decisions for the same seed", () => {
    const run = (seed: number) =>
      withPlan(
        { seed, rules: [{ target: "api", action: "status", status: 503, probability: 0.5 }] },
        () => Effect.forEach(Array.from({ length: 40 }), () => statusOf(`${Stub.apiUrl}/info/`))
      )
    return Effect.gen(function*() {
      const first = yield* run(42)
      const again = yield* run(42)
      const other = yield* run(43)
      expect(again).toEqual(first)
      expect(first).toContain(503)
      expect(first).toContain(200)
      expect(other).not.toEqual(first)
    })
  })

  it.effect("resets the connection before a response: a transport error for the client", () =>
    withPlan({ rules: [{ target: "api", action: "reset" }] }, (lines) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(HttpClient.get(`${Stub.apiUrl}/info/`))
        expect(error._tag).toBe("RequestError")
        expect(error._tag === "RequestError" && error.reason).toBe("Transport")
        expect((yield* Ref.get(lines))[0]).toMatch(/^fault: reset/)
      })))

  it.effect("resets after N body bytes: the body fails after exactly N bytes", () =>
    withPlan({ rules: [{ target: "s3", action: "reset", afterBytes: 1000 }] }, () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get(`${Stub.storageUrl}/blob`)
        expect(response.status).toBe(200)
        expect(response.headers["content-length"]).toBe("4096")
        const received = yield* Ref.make(0)
        const error = yield* response.stream.pipe(
          Stream.runForEach((chunk) => Ref.update(received, (n) => n + chunk.length)),
          Effect.flip
        )
        expect(error._tag).toBe("ResponseError")
        expect(yield* Ref.get(received)).toBe(1000)
      })))

  it.effect("truncates: the body ends early while Content-Length keeps the full size", () =>
    withPlan({ rules: [{ target: "s3", action: "truncate", afterBytes: 100 }] }, () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get(`${Stub.storageUrl}/blob`)
        expect(response.headers["content-length"]).toBe("4096")
        const bytes = new Uint8Array(yield* response.arrayBuffer)
        expect(Array.from(bytes)).toEqual(Array.from(body4k.subarray(0, 100)))
      })))

  it.effect("corrupts exactly the requested number of bytes, keeping the length", () =>
    withPlan({ seed: 5, rules: [{ target: "s3", action: "corrupt", bytes: 3 }] }, () =>
      Effect.gen(function*() {
        const bytes = new Uint8Array(yield* Effect.flatMap(HttpClient.get(`${Stub.storageUrl}/blob`), (r) => r.arrayBuffer))
        expect(bytes.length).toBe(body4k.length)
        const differing = bytes.filter((b, i) => b !== body4k[i]).length
        expect(differing).toBe(3)
      })))

  it.effect("answers an expired presigned URL like S3 does", () =>
    withPlan({ rules: [{ target: "s3", action: "expire" }] }, () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get(`${Stub.storageUrl}/blobs/abc?X-Amz-Signature=x`)
        expect(response.status).toBe(403)
        const text = yield* response.text
        expect(text).toContain("<Code>AccessDenied</Code>")
        expect(text).toContain("<Message>Request has expired</Message>")
      })))

  it.effect("delays responses on the Effect clock", () =>
    withPlan({ rules: [{ target: "api", action: "delay", delayMs: 1000 }] }, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(statusOf(`${Stub.apiUrl}/info/`))
        yield* TestClock.adjust("999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Fiber.join(fiber)).toBe(200)
      })))

  it.effect("adds per-item latency for each result of a list page", () =>
    withPlan({ rules: [{ target: "api", action: "delay", delayMs: 100, perItemMs: 10 }] }, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(statusOf(`${Stub.apiUrl}/dandisets/list/`))
        yield* TestClock.adjust("149 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Fiber.join(fiber)).toBe(200)
      })))

  it.effect("throttles the body to the configured rate", () =>
    withPlan({ rules: [{ target: "s3", action: "throttle", bytesPerSecond: 2048 }] }, () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.get(`${Stub.storageUrl}/blob`)
        const fiber = yield* Effect.fork(Effect.map(response.arrayBuffer, (b) => b.byteLength))
        yield* TestClock.adjust("1999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Fiber.join(fiber)).toBe(4096)
      })))
})

describe("Faults.decodeFile", () => {
  it.effect("decodes a plan with defaults", () =>
    Effect.gen(function*() {
      const plan = yield* Faults.decodeFile(
        JSON.stringify({ rules: [{ target: "s3", action: "reset", afterBytes: 10 }] })
      )
      expect(plan.seed).toBe(0)
      expect(plan.rules[0]).toMatchObject({ target: "s3", action: "reset", afterBytes: 10 })
    }))

  it.effect("names the rule and field of an unknown action", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Faults.decodeFile(JSON.stringify({
        rules: [
          { target: "api", action: "delay", delayMs: 1 },
          { target: "api", action: "expire" },
          { target: "api", action: "explode" }
        ]
      })))
      expect(error.message).toBe(
        "faults file: rules[2].action: expected one of status, reset, truncate, stall, corrupt, delay, throttle, expire, lose, etag, ignoreRange"
      )
    }))

  it.effect("requires the status code of a status action", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Faults.decodeFile(JSON.stringify({ rules: [{ target: "api", action: "status" }] })))
      expect(error.message).toBe("faults file: rules[0].status: required when action is \"status\" (e.g. 503)")
    }))

  it.effect("rejects a probability outside [0, 1] and an unknown target", () =>
    Effect.gen(function*() {
      const probability = yield* Effect.flip(Faults.decodeFile(JSON.stringify({
        rules: [{ target: "api", action: "reset", probability: 2 }]
      })))
      expect(probability.message).toBe("faults file: rules[0].probability: expected a number between 0 and 1")
      const target = yield* Effect.flip(Faults.decodeFile(JSON.stringify({ rules: [{ target: "web", action: "reset" }] })))
      expect(target.message).toBe("faults file: rules[0].target: expected \"api\" or \"s3\"")
    }))

  it.effect("reports text that is not JSON", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Faults.decodeFile("{rules: nope"))
      expect(error.message).toMatch(/^faults file: not valid JSON/)
    }))
})
