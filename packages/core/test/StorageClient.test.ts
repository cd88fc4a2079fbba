import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Fiber, Redacted, Stream, TestClock } from "effect"
import { StorageClient } from "@dandi-effect/core/StorageClient"
import * as StorageClientModule from "@dandi-effect/core/StorageClient"
import { stack } from "./http-support/MockHttp.js"

const token = "0123456789abcdef0123456789abcdef01234567"
const signed = "https://bucket.test/blobs/abc?X-Amz-Signature=sig123"

const s3Error = (status: number, code: string, message: string, extra = "") =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>R</RequestId></Error>`,
    { status, headers: { "content-type": "application/xml" } }
  )

describe("StorageClient requests", () => {
  it.effect("sends neither the token, an Authorization header given by the caller, nor trace headers", () => {
    const { layer, log } = stack(() => new Response("", { status: 200, headers: { etag: "\"e\"" } }), {
      token: Redacted.make(token)
    })
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      yield* storage.put(signed, new Uint8Array([1, 2, 3]), { headers: { Authorization: `token ${token}`, "x-amz-tagging": "a=b" } })
      expect(log[0]!.headers["authorization"]).toBeUndefined()
      expect(log[0]!.headers["traceparent"]).toBeUndefined()
      expect(log[0]!.headers["b3"]).toBeUndefined()
      expect(log[0]!.headers["x-amz-tagging"]).toBe("a=b")
    }).pipe(Effect.provide(layer))
  })

  it.effect("PUT sends the exact Content-Length and returns the ETag without quotes", () => {
    const { layer, log } = stack(() => new Response("", { status: 200, headers: { etag: "\"5d41402abc4b2a76b9719d911017c592\"" } }))
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const result = yield* storage.put(signed, new TextEncoder().encode("hello"))
      expect(result).toEqual({ status: 200, etag: "5d41402abc4b2a76b9719d911017c592" })
      expect(log[0]!.method).toBe("PUT")
      expect(log[0]!.body).toBe("hello")
    }).pipe(Effect.provide(layer))
  })

  it.effect("GET with a range sends the Range header and shows status and Content-Range", () => {
    const { layer, log } = stack(() =>
      new Response("llo", { status: 206, headers: { "content-range": "bytes 2-4/11", "content-length": "3" } })
    )
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const response = yield* storage.get(signed, { range: { start: 2, end: 4 } })
      expect(log[0]!.headers["range"]).toBe("bytes=2-4")
      expect(response.status).toBe(206)
      expect(response.contentRange).toEqual({ start: 2, end: 4, size: 11 })
      expect(new TextDecoder().decode(yield* response.bytes)).toBe("llo")
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a 503 with the shared policy, honouring Retry-After", () => {
    const { layer, log } = stack(
      (_, index) =>
        index === 0
          ? new Response("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>", {
            status: 503,
            headers: { "retry-after": "3" }
          })
          : new Response("ok", { status: 200 }),
      { retry: { base: Duration.seconds(1) } }
    )
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const fiber = yield* Effect.fork(storage.get(signed))
      yield* TestClock.adjust("2999 millis")
      expect(log).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      expect(response.status).toBe(200)
      expect(log).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })
})

describe("StorageClient maps S3 error documents to tagged errors", () => {
  const failing = (response: () => Response, attempts = 1) => {
    const { layer, log } = stack(response, { retry: { attempts } })
    return { layer, log }
  }

  it.effect("an expired URL is PresignedUrlExpired, distinct from other 403s", () => {
    const expired = failing(() =>
      s3Error(403, "AccessDenied", "Request has expired", "<Expires>2024-01-01T00:00:00Z</Expires>")
    )
    const denied = failing(() => s3Error(403, "AccessDenied", "Access Denied"))
    return Effect.gen(function*() {
      const first = yield* Effect.flip(Effect.flatMap(StorageClient, (s) => s.get(signed)).pipe(Effect.provide(expired.layer)))
      expect(first._tag).toBe("PresignedUrlExpired")
      expect(first.message).toContain("fresh URL")
      expect(first.message).not.toContain("sig123")
      const second = yield* Effect.flip(Effect.flatMap(StorageClient, (s) => s.get(signed)).pipe(Effect.provide(denied.layer)))
      expect(second._tag).toBe("StorageError")
      if (second._tag === "StorageError") {
        expect(second.code).toBe("AccessDenied")
        expect(second.status).toBe(403)
      }
    })
  })

  it.effect("NoSuchUpload on a part PUT is MultipartUploadNotFound", () => {
    const { layer } = failing(() => s3Error(404, "NoSuchUpload", "The specified upload does not exist."))
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const error = yield* Effect.flip(storage.put(`${signed}&uploadId=u&partNumber=1`, new Uint8Array(1)))
      expect(error._tag).toBe("MultipartUploadNotFound")
      expect(error.message).toContain("Start the upload again")
    }).pipe(Effect.provide(layer))
  })

  it.effect("a CompleteMultipartUpload answered 200 with an <Error> document fails", () => {
    const { layer } = failing(() =>
      new Response("<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", {
        status: 200
      })
    )
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const error = yield* Effect.flip(storage.postXml(signed, "<CompleteMultipartUpload/>"))
      expect(error._tag).toBe("StorageError")
      if (error._tag === "StorageError") expect(error.code).toBe("InternalError")
    }).pipe(Effect.provide(layer))
  })

  it.effect("a body-less error (HEAD) is named after its status", () => {
    const { layer } = failing(() => new Response(null, { status: 404 }))
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const error = yield* Effect.flip(storage.head(signed))
      expect(error._tag).toBe("StorageError")
      if (error._tag === "StorageError") expect(error.code).toBe("NotFound")
    }).pipe(Effect.provide(layer))
  })

  it("parseS3Error reads code and message, and nothing else", () => {
    expect(StorageClientModule.parseS3Error("<Error><Code>NoSuchKey</Code><Message>a &amp; b</Message></Error>"))
      .toEqual({ code: "NoSuchKey", message: "a & b" })
    expect(StorageClientModule.parseS3Error("<html>nope</html>")).toBeUndefined()
  })

  it.effect("a body shorter than its Content-Length fails the stream with TransportError", () => {
    const { layer } = stack(() => new Response("abc", { status: 200, headers: { "content-length": "10" } }))
    return Effect.gen(function*() {
      const storage = yield* StorageClient
      const response = yield* storage.get(signed)
      const error = yield* Effect.flip(Stream.runCollect(response.stream).pipe(Effect.map(Chunk.size)))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("3 of 10")
    }).pipe(Effect.provide(layer))
  })
})
