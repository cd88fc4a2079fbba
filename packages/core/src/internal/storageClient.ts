/**
 * Implementation of StorageClient.ts.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { DandiConfig } from "../DandiConfig.js"
import { describeCause, MultipartUploadNotFound, PresignedUrlExpired, StorageError, TransportError } from "../DandiError.js"
import * as FetchRefusal from "../FetchRefusal.js"
import * as HttpErrors from "../HttpErrors.js"
import type {
  ContentRange,
  GetOptions,
  PostXmlResult,
  PutBody,
  PutOptions,
  PutResult,
  StorageClientShape,
  StorageFailure,
  StorageRequestOptions,
  StorageResponse
} from "./storageClientShape.js"
import * as Retry from "./retry.js"

type Method = "GET" | "HEAD" | "PUT" | "POST"

const xmlEntities: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }

const unescapeXml = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => xmlEntities[name]!)

const xmlElement = (xml: string, name: string): string | undefined => {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)
  return match === null ? undefined : unescapeXml(match[1]!.trim())
}

export const parseS3Error = (body: string): { readonly code: string; readonly message: string } | undefined => {
  const error = /<Error>([\s\S]*?)<\/Error>/.exec(body)
  if (error === null) return undefined
  const code = xmlElement(error[1]!, "Code")
  if (code === undefined) return undefined
  return { code, message: xmlElement(error[1]!, "Message") ?? "" }
}

const unquote = (etag: string): string => etag.replace(/^"|"$/g, "")

// What AWS SDKs call a body-less error (HEAD, or a proxy's empty answer).
const statusCode = (status: number): string =>
  status === 403 ? "Forbidden" : status === 404 ? "NotFound" : status >= 500 ? "ServerError" : `Status${status}`

const advice = (code: string, status: number, attempts: number): string => {
  switch (code) {
    case "AccessDenied":
    case "Forbidden":
      return "The URL does not grant this access (it may have expired or belong to embargoed data); ask the archive for a fresh URL."
    case "SignatureDoesNotMatch":
      return "The request does not match what the URL was signed for (method or signed headers); ask the archive for a new URL and send exactly what it was signed for."
    case "NoSuchKey":
    case "NotFound":
      return "The object does not exist (any more); list the asset again to get a current URL."
    case "InvalidRange":
      return "The requested byte range starts beyond the end of the object; ask for a range within its size."
    case "InvalidPart":
    case "InvalidPartOrder":
      return "The parts listed do not match the parts uploaded; upload the missing parts again, then complete."
    case "BadDigest":
      return "The bytes received do not match their Content-MD5; send them again."
    default:
      return status >= 500 || status === 429
        ? `The object store is failing${attempts > 1 ? ` (${attempts} attempts)` : ""}; try again later.`
        : "Check the request and try again."
  }
}

/** S3's answer (status and error document) as a tagged error. */
const failureOf = (options: {
  readonly status: number
  readonly method: Method
  readonly url: string
  readonly body: string
  readonly multipart: boolean
  readonly attempts: number
}): StorageFailure | MultipartUploadNotFound => {
  const { method, status } = options
  const url = HttpErrors.displayUrl(options.url)
  const parsed = parseS3Error(options.body)
  const code = parsed?.code ?? statusCode(status)
  const detail = parsed?.message ?? ""
  const request = `${method} ${url}`
  // S3 answers an expired presigned URL with 403 AccessDenied "Request has expired" (and <Expires>).
  const expired = (code === "AccessDenied" && (/expired/i.test(detail) || options.body.includes("<Expires>"))) ||
    code === "ExpiredToken"
  if (expired) {
    return new PresignedUrlExpired({
      message: `The presigned URL for ${request} has expired (${
        detail || code
      }). Ask the archive for a fresh URL and send the request again.`,
      method,
      url
    })
  }
  if (code === "NoSuchUpload" && options.multipart) {
    return new MultipartUploadNotFound({
      message: `The multipart upload of ${request} no longer exists: it was completed, aborted or expired. Start the upload again.`,
      method,
      url
    })
  }
  return new StorageError({
    message: `The object store refused ${request} with ${status} ${code}${detail ? `: ${describeCause(detail)}` : ""}. ${
      advice(code, status, options.attempts)
    }`,
    status,
    code,
    method,
    url
  })
}

const contentRangePattern = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i

const parseContentRange = (header: string | undefined): ContentRange | undefined => {
  const match = header === undefined ? null : contentRangePattern.exec(header.trim())
  if (match === null) return undefined
  return { start: Number(match[1]), end: Number(match[2]), size: match[3] === "*" ? undefined : Number(match[3]) }
}

const declaredLength = (response: HttpClientResponse.HttpClientResponse): number | undefined => {
  const value = response.headers["content-length"]
  const length = value === undefined ? Number.NaN : Number(value)
  return Number.isInteger(length) && length >= 0 ? length : undefined
}

/** Whether the body can be checked against Content-Length (compressed bodies count other bytes). */
const checkable = (response: HttpClientResponse.HttpClientResponse): boolean => {
  const encoding = response.headers["content-encoding"]
  return (encoding === undefined || encoding === "identity") && response.request.method !== "HEAD" &&
    response.status !== 204 && response.status !== 304
}

const broken = (method: Method, url: string, description: string): TransportError =>
  HttpErrors.fromTransport({ method, url, reason: "Connection", description })

const toResponse = (method: Method, url: string, response: HttpClientResponse.HttpClientResponse): StorageResponse => {
  const declared = declaredLength(response)
  const check = checkable(response) && declared !== undefined
  const etag = response.headers["etag"]
  const stream = Stream.suspend(() => {
    let received = 0
    return response.stream.pipe(
      Stream.mapError((error) => broken(method, url, Retry.transportFailure(error).description)),
      Stream.map((chunk) => {
        received += chunk.length
        return chunk
      }),
      Stream.concat(Stream.suspend(() =>
        check && received < declared
          ? Stream.fail(broken(method, url, `the body ended after ${received} of ${declared} bytes`))
          : Stream.empty
      ))
    )
  })
  const bytes = Effect.flatMap(
    Effect.mapError(response.arrayBuffer, (error) => broken(method, url, Retry.transportFailure(error).description)),
    (buffer) =>
      check && buffer.byteLength < declared
        ? Effect.fail(broken(method, url, `the body ended after ${buffer.byteLength} of ${declared} bytes`))
        : Effect.succeed(new Uint8Array(buffer))
  )
  return {
    status: response.status,
    headers: response.headers,
    contentLength: declared,
    contentRange: parseContentRange(response.headers["content-range"]),
    etag: etag === undefined ? undefined : unquote(etag),
    stream,
    bytes
  }
}

// Core compiles without DOM/Node typings; every supported runtime has TextDecoder.
const utf8 = new (globalThis as unknown as {
  readonly TextDecoder: new(label: string) => { decode(bytes: Uint8Array): string }
}).TextDecoder("utf-8")

const withoutAuthorization = (headers: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "authorization") kept[name] = value
  }
  return kept
}

export const make: Effect.Effect<StorageClientShape, never, DandiConfig | HttpClient.HttpClient> = Effect.gen(
  function*() {
    const config = yield* DandiConfig
    // Presigned URLs carry their credentials in the query string: no platform span (it records
    // url.full) and no trace headers (a CORS preflight against the bucket in browsers).
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )

    const build = (
      method: Method,
      url: string,
      headers: Readonly<Record<string, string>> | undefined,
      body: HttpBody.HttpBody | undefined
    ): HttpClientRequest.HttpClientRequest => {
      let request = HttpClientRequest.make(method)(url)
      if (config.userAgent !== null) request = HttpClientRequest.setHeader(request, "user-agent", config.userAgent)
      request = HttpClientRequest.setHeaders(request, withoutAuthorization(headers))
      return body === undefined ? request : HttpClientRequest.setBody(request, body)
    }

    /**
     * One request under the retry policy. 2xx answers come back with their body unread; error
     * documents become tagged errors. `local` holds a failure of the caller's own body stream,
     * which is neither retried nor reported as a network failure.
     */
    const execute = <E>(
      method: Method,
      url: string,
      request: HttpClientRequest.HttpClientRequest,
      multipart: boolean,
      local: Ref.Ref<Option.Option<E>> | undefined
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, StorageFailure | MultipartUploadNotFound | E> =>
      Effect.gen(function*() {
        yield* Effect.annotateCurrentSpan({ "http.request.method": method, "url.full": HttpErrors.displayUrl(url) })
        const localFailure = local === undefined ? Effect.succeed(Option.none<E>()) : Ref.get(local)
        const { attempts, result } = yield* Retry.retrying(
          config.retry,
          `${method} ${HttpErrors.displayUrl(url)}`,
          client.execute(request),
          (outcome) =>
            Effect.flatMap(localFailure, (failure) => Option.isSome(failure) ? Effect.succeed(undefined) : Retry.classify(outcome))
        )
        if (Either.isLeft(result)) {
          const failure = yield* localFailure
          if (Option.isSome(failure)) return yield* Effect.fail(failure.value)
          const refusal = FetchRefusal.find(result.left)
          if (refusal?.kind === "cors") return yield* Effect.fail(HttpErrors.refusedByBrowser({ method, url, refusal, server: "storage" }))
          const described = Retry.transportFailure(result.left)
          return yield* Effect.fail(HttpErrors.fromTransport({
            method,
            url,
            reason: described.reason,
            description: described.description,
            attempts
          }))
        }
        const response = result.right
        if (response.status < 400) return response
        const body = method === "HEAD" ? "" : yield* Effect.orElseSucceed(response.text, () => "")
        return yield* Effect.fail(failureOf({ status: response.status, method, url, body, multipart, attempts }))
      })

    const get = Effect.fn("StorageClient.get")(function*(url: string, options?: GetOptions) {
      const range = options?.range
      const headers = range === undefined
        ? options?.headers
        : { ...options?.headers, range: `bytes=${range.start}-${range.end ?? ""}` }
      const response = yield* execute<never>("GET", url, build("GET", url, headers, undefined), false, undefined).pipe(
        Effect.catchTag("MultipartUploadNotFound", (error) => Effect.die(error))
      )
      return toResponse("GET", url, response)
    })

    const head = Effect.fn("StorageClient.head")(function*(url: string, options?: StorageRequestOptions) {
      const response = yield* execute<never>("HEAD", url, build("HEAD", url, options?.headers, undefined), false, undefined)
        .pipe(Effect.catchTag("MultipartUploadNotFound", (error) => Effect.die(error)))
      return toResponse("HEAD", url, response)
    })

    const put = <E = never>(
      url: string,
      body: PutBody<E>,
      options?: PutOptions
    ): Effect.Effect<PutResult, StorageFailure | MultipartUploadNotFound | E> =>
      Effect.gen(function*() {
        const contentType = options?.contentType ?? "application/octet-stream"
        const local = yield* Ref.make(Option.none<E>())
        const httpBody = body instanceof Uint8Array
          ? HttpBody.uint8Array(body, contentType)
          : "platformBody" in body
          ? HttpBody.raw(body.platformBody, { contentType, contentLength: body.length })
          : HttpBody.stream(
            Stream.tapError(body.stream, (error) => Ref.set(local, Option.some(error))),
            contentType,
            body.length
          )
        const response = yield* execute("PUT", url, build("PUT", url, options?.headers, httpBody), true, local)
        const etag = response.headers["etag"]
        yield* Effect.ignore(response.text)
        if (etag === undefined) {
          return yield* new StorageError({
            message: `PUT ${
              HttpErrors.displayUrl(url)
            } succeeded without an ETag header; in a browser, the bucket's CORS rules must expose ETag (Access-Control-Expose-Headers). The upload cannot be completed without it.`,
            status: response.status,
            code: "MissingETag",
            method: "PUT",
            url: HttpErrors.displayUrl(url)
          })
        }
        return { status: response.status, etag: unquote(etag) }
      }).pipe(Effect.withSpan("StorageClient.put"))

    const postXml = Effect.fn("StorageClient.postXml")(
      function*(url: string, xml: string, options?: StorageRequestOptions) {
        const request = build("POST", url, options?.headers, HttpBody.text(xml, "application/xml"))
        const response = yield* execute<never>("POST", url, request, true, undefined)
        const text = yield* Effect.mapError(
          response.arrayBuffer,
          (error) => broken("POST", url, Retry.transportFailure(error).description)
        )
        const body = utf8.decode(new Uint8Array(text))
        // CompleteMultipartUpload may fail after its 200 status line: the error is in the document.
        if (parseS3Error(body) !== undefined) {
          return yield* Effect.fail(
            failureOf({ status: response.status, method: "POST", url, body, multipart: true, attempts: 1 })
          )
        }
        const etag = xmlElement(body, "ETag")
        const result: PostXmlResult = {
          status: response.status,
          body,
          etag: etag === undefined ? undefined : unquote(etag)
        }
        return result
      }
    )

    return { get, head, put, postXml }
  }
)
