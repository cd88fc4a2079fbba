/**
 * The uploader's calls to presigned object-store URLs: a part PUT with an exact Content-Length,
 * and the CompleteMultipartUpload POST. No Authorization header and no trace headers ever go to
 * the store (the URL carries its own signature). S3's XML error documents become tagged errors;
 * an expired URL (or a vanished multipart upload) is `PresignedUrlExpired`, so the caller can
 * start over instead of retrying in vain.
 *
 * Each attempt builds its request afresh (the body is a Stream that re-reads the source), so a
 * retried part sends its bytes again from the start.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type {
  PermissionError,
  RequestRejectedError,
  ResponseDecodeError,
  ServerError,
  TransportError
} from "../../DandiError.js"
import { PresignedUrlExpired } from "../../DandiError.js"
import * as HttpErrors from "../../HttpErrors.js"
import type * as RetryPolicy from "../../RetryPolicy.js"

/** What a store request can end with once retries are spent. */
export type StorageError =
  | PresignedUrlExpired
  | PermissionError
  | RequestRejectedError
  | ServerError
  | TransportError
  | ResponseDecodeError

/** One element of an S3 XML document (first match, entities decoded). */
export const xmlElement = (xml: string, name: string): string | undefined => {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)
  if (match === null) return undefined
  return match[1]!
    .replace(/&quot;/g, "\"")
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim()
}

const stripQuotes = (etag: string): string => etag.replace(/^W\//, "").replace(/"/g, "").trim()

/** The store's answer to a failed request, as the SDK's error for it. */
export const errorFromStore = (method: string, url: string, status: number, body: string): StorageError => {
  const code = xmlElement(body, "Code")
  const message = xmlElement(body, "Message") ?? ""
  const shown = HttpErrors.displayUrl(url)
  if ((status === 403 && /expired/i.test(message)) || code === "NoSuchUpload" || code === "ExpiredToken") {
    return new PresignedUrlExpired({
      message: `${method} ${shown}: the presigned URL is no longer valid (${code ?? status}${
        message === "" ? "" : `: ${message}`
      }). Start the upload again to get fresh URLs.`,
      url: shown
    })
  }
  const detail = code === undefined ? body : `${code}: ${message}`
  return HttpErrors.fromStatus({ status, method, url, body: detail, contentType: "text/plain" }) as StorageError
}

const isTransient = (error: StorageError): boolean =>
  error._tag === "ServerError" ||
  (error._tag === "TransportError" && error.reason !== "Other") ||
  (error._tag === "RequestRejectedError" && error.status === 429)

/** The policy as a Schedule on the Effect clock: exponential, capped, jittered, bounded. */
export const schedule = (policy: RetryPolicy.RetryPolicy) =>
  Schedule.exponential(policy.base, policy.factor).pipe(
    Schedule.modifyDelay((delay) => Duration.min(delay, policy.cap)),
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(Math.max(0, policy.attempts - 1)))
  )

const transportError = (method: string, url: string) => (error: HttpClientError.HttpClientError): TransportError =>
  HttpErrors.fromTransport({
    method,
    url,
    reason: error._tag === "RequestError" && error.reason !== "Transport" ? "Other" : "Connection",
    description: error.description ?? (error.cause instanceof Error ? error.cause.message : undefined)
  })

export interface StorageClient {
  /**
   * PUT one part; `body` is run once per attempt. Returns the ETag the store answered (quotes
   * removed); a missing ETag is a decode error.
   */
  readonly putPart: <E>(
    url: string,
    size: number,
    body: () => Stream.Stream<Uint8Array, E>
  ) => Effect.Effect<string, StorageError | E>
  /** POST the CompleteMultipartUpload document; returns the final ETag if the store gave one. */
  readonly completeMultipart: (url: string, xml: string) => Effect.Effect<string | undefined, StorageError>
}

/** A client for presigned URLs over `http`, retrying transient failures by `policy`. */
export const make = (http: HttpClient.HttpClient, policy: RetryPolicy.RetryPolicy, userAgent: string | null): StorageClient => {
  const client = http.pipe(
    HttpClient.withTracerPropagation(false),
    // Presigned query strings hold credentials: no span may record the URL.
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const withAgent = (request: HttpClientRequest.HttpClientRequest) =>
    userAgent === null ? request : HttpClientRequest.setHeader(request, "user-agent", userAgent)

  const execute = <E>(
    method: "PUT" | "POST",
    url: string,
    request: Effect.Effect<HttpClientRequest.HttpClientRequest>,
    onOk: (response: HttpClientResponse.HttpClientResponse, body: string) => Effect.Effect<string | undefined, StorageError>,
    localFailure: Effect.Effect<Option.Option<E>> = Effect.succeed(Option.none())
  ): Effect.Effect<string | undefined, StorageError | E> => {
    // A body that failed to read locally is not the network's fault: report it, never retry it.
    const failed = (error: StorageError) =>
      Effect.flatMap(localFailure, (local) => Effect.fail<StorageError | E>(Option.getOrElse(local, () => error)))
    const attempt = Effect.gen(function*() {
      const response = yield* Effect.flatMap(request, (r) => client.execute(withAgent(r))).pipe(
        Effect.catchAll((error) => failed(transportError(method, url)(error)))
      )
      const body = yield* response.text.pipe(Effect.catchAll((error) => failed(transportError(method, url)(error))))
      if (response.status >= 200 && response.status < 300) {
        // A 200 that carries an S3 <Error> document is a failure too (S3 does this for Complete).
        if (/<Error>/.test(body) && xmlElement(body, "Code") !== undefined) {
          return yield* Effect.fail(errorFromStore(method, url, 500, body))
        }
        return yield* onOk(response, body)
      }
      return yield* Effect.fail(errorFromStore(method, url, response.status, body))
    })
    return attempt.pipe(
      Effect.retry({
        schedule: schedule(policy),
        while: (error) => isStorageError(error) && isTransient(error)
      })
    )
  }

  const putPart = <E>(url: string, size: number, body: () => Stream.Stream<Uint8Array, E>) =>
    Effect.gen(function*() {
      const local = yield* Ref.make(Option.none<E>())
      const request = Effect.sync(() =>
        HttpClientRequest.put(url).pipe(
          HttpClientRequest.bodyStream(
            body().pipe(Stream.tapError((error) => Ref.set(local, Option.some(error)))),
            // No Content-Type, as dandi-cli sends parts: the presigned URL does not sign one.
            { contentLength: size, contentType: "" }
          )
        )
      )
      const etag = yield* execute<E>("PUT", url, request, (response) => {
        const header = response.headers["etag"]
        return header === undefined
          ? Effect.fail(
            HttpErrors.decodeFailure({
              method: "PUT",
              url,
              status: response.status,
              body: "",
              problem: "the object store answered without an ETag header"
            })
          )
          : Effect.succeed(stripQuotes(header))
      }, Ref.getAndSet(local, Option.none()))
      return etag!
    })

  const completeMultipart = (url: string, xml: string) =>
    execute<never>(
      "POST",
      url,
      Effect.sync(() => HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText(xml, ""))),
      (_, body) => {
        const etag = xmlElement(body, "ETag")
        return Effect.succeed(etag === undefined ? undefined : stripQuotes(etag))
      }
    )

  return { putPart, completeMultipart }
}

const storageTags: ReadonlySet<string> = new Set([
  "PresignedUrlExpired",
  "PermissionError",
  "RequestRejectedError",
  "ServerError",
  "TransportError",
  "ResponseDecodeError"
])

const isStorageError = (error: unknown): error is StorageError =>
  typeof error === "object" && error !== null && "_tag" in error && storageTags.has(String(error._tag))
