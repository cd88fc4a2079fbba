/**
 * An asset's bytes from storage, from any offset, surviving what storage does to long transfers.
 *
 * The archive's download route answers with a redirect to a presigned storage URL; the route is
 * asked with the API token (embargoed assets need it), the storage URL is fetched without it.
 * Each request asks for the bytes still missing (`Range: bytes=<next>-<end>`), and the answer is
 * checked before a byte is used: a 206 must carry the `Content-Range` asked for and the asset's
 * size, a 200 (a server that ignored Range) has its leading bytes skipped, so a resume can never
 * splice the wrong bytes in. A body that breaks off (reset, truncation, idle timeout), a 429 or a
 * 5xx is retried with backoff and `Retry-After`, continuing from the last byte received; an
 * expired presigned URL (S3's 403 "Request has expired") is renewed through the API. Attempts
 * that delivered bytes do not use up the retry budget, so a flaky but working link finishes.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { ApiClientShape } from "../../ApiClient.js"
import type { DandiConfigShape } from "../../DandiConfig.js"
import { ResponseDecodeError } from "../../DandiError.js"
import * as HttpErrors from "../../HttpErrors.js"
import * as RetryAfter from "../../RetryAfter.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as WebUrl from "../../WebUrl.js"

/** What is needed to fetch an asset's bytes. */
export interface BlobLocation {
  /** The API route that redirects to storage, e.g. `{api}/assets/{id}/download/`. */
  readonly downloadUrl: string
  readonly size: number
  /** For messages: the asset path or file name. */
  readonly name: string
}

/** A retry about to happen, for progress reporting. */
export interface RetryNotice {
  readonly _tag: "RetryNotice"
  readonly attempt: number
  readonly attempts: number
  /** Where the next request starts. */
  readonly offset: number
  readonly reason: string
  readonly wait: Duration.Duration
}

export interface RangeOptions {
  /** First byte (default 0). */
  readonly start?: number | undefined
  /** One past the last byte (default: the size). */
  readonly end?: number | undefined
}

export type BlobSourceError = HttpErrors.ApiError

export interface BlobSource {
  readonly location: BlobLocation
  /** The bytes `[start, end)`, each exactly once and in order. */
  readonly bytes: (options?: RangeOptions) => Stream.Stream<Uint8Array, BlobSourceError>
  /** The same bytes, with a notice in between wherever a request failed and another follows. */
  readonly events: (options?: RangeOptions) => Stream.Stream<Uint8Array | RetryNotice, BlobSourceError>
  /** Requests sent to storage so far (for tests and statistics). */
  readonly requests: Effect.Effect<number>
}

/** Why one request did not deliver everything asked for. */
type Failure =
  | {
    readonly _tag: "Retry"
    readonly reason: string
    readonly retryAfter: RetryAfter.RetryAfter
    readonly renew: boolean
    readonly error: BlobSourceError
  }
  | { readonly _tag: "Fatal"; readonly error: BlobSourceError }

const contentRangePattern = /^bytes (\d+)-(\d+)\/(\d+|\*)$/

const expiredPattern = /<Code>\s*AccessDenied\s*<\/Code>[\s\S]*<Message>[^<]*expired/i

export interface Dependencies {
  readonly api: ApiClientShape
  readonly config: DandiConfigShape
  /** A client for storage: no token, no trace headers, no retries of its own. */
  readonly storage: HttpClient.HttpClient
}

/** The bare storage client built from the platform's HttpClient. */
export const storageClient = (http: HttpClient.HttpClient, config: DandiConfigShape): HttpClient.HttpClient =>
  http.pipe(
    HttpClient.withTracerPropagation(false),
    // Presigned URLs carry credentials in their query: no span may record them.
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.mapRequest((request) =>
      config.userAgent === null ? request : HttpClientRequest.setHeader(request, "user-agent", config.userAgent)
    )
  )

export const make = (deps: Dependencies, location: BlobLocation): Effect.Effect<BlobSource> =>
  Effect.gen(function*() {
    const { api, config, storage } = deps
    const presigned = yield* Ref.make(Option.none<string>())
    const requestCount = yield* Ref.make(0)
    const policy = config.retry

    /** The storage URL the download route redirects to (a 200 there means it serves the bytes itself). */
    const resolve = Effect.gen(function*() {
      const response = yield* api.send("HEAD", location.downloadUrl, {
        redirect: "manual",
        notFound: {
          resource: "asset",
          id: location.name,
          message: `No such asset to download: ${location.name} (${HttpErrors.displayUrl(location.downloadUrl)}). List the dandiset again; the asset may have been replaced or deleted.`
        }
      })
      const target = response.headers["location"]
      const url = target === undefined ? location.downloadUrl : (WebUrl.parse(target, location.downloadUrl)?.href ?? target)
      yield* Ref.set(presigned, Option.some(url))
      return url
    })

    const currentUrl = Effect.flatMap(Ref.get(presigned), Option.match({ onNone: () => resolve, onSome: Effect.succeed }))

    const transport = (url: string, description: string): BlobSourceError =>
      HttpErrors.fromTransport({ method: "GET", url, reason: "Connection", description })

    const protocol = (url: string, status: number, problem: string) =>
      new ResponseDecodeError({
        message: `GET ${HttpErrors.displayUrl(url)} for ${location.name} answered ${status} with ${problem}; the storage server does not behave as S3 does, so the download stopped before using its bytes.`,
        method: "GET",
        url: HttpErrors.displayUrl(url),
        status,
        excerpt: ""
      })

    const events = (options: RangeOptions = {}): Stream.Stream<Uint8Array | RetryNotice, BlobSourceError> =>
      Stream.suspend(() => {
        const start = options.start ?? 0
        const end = options.end ?? location.size
        // Per run: where the next byte comes from, and how many retries in a row made no progress.
        let next = start
        let fruitless = 0

        const requestOnce = (url: string): Stream.Stream<Uint8Array, Failure> =>
          Stream.unwrap(Effect.gen(function*() {
            let request = HttpClientRequest.get(url)
            const wantsRange = next > 0 || end < location.size
            if (wantsRange) request = HttpClientRequest.setHeader(request, "range", `bytes=${next}-${end - 1}`)
            yield* Ref.update(requestCount, (n) => n + 1)
            const response = yield* storage.execute(request).pipe(
              Effect.timeoutFail({
                duration: config.requestTimeout,
                onTimeout: () => "timeout" as const
              }),
              Effect.mapError((error): Failure => ({
                _tag: "Retry",
                reason: error === "timeout" ? "no answer in time" : "connection failed",
                retryAfter: { _tag: "Absent" },
                renew: false,
                error: error === "timeout"
                  ? HttpErrors.fromTransport({ method: "GET", url, reason: "Timeout", description: "no answer in time" })
                  : transport(url, (error as HttpClientError.HttpClientError).message)
              }))
            )
            const skip = yield* checkResponse(url, response, wantsRange)
            return body(url, response, skip)
          }))

        /** How many leading bytes of the body precede `next`; fails for answers that cannot be used. */
        const checkResponse = (url: string, response: HttpClientResponse.HttpClientResponse, ranged: boolean) =>
          Effect.gen(function*() {
            const status = response.status
            if (status === 206) {
              const match = contentRangePattern.exec(response.headers["content-range"] ?? "")
              if (match === null) {
                return yield* Effect.fail<Failure>({ _tag: "Fatal", error: protocol(url, 206, "no usable Content-Range") })
              }
              const [first, total] = [Number(match[1]), match[3] === "*" ? undefined : Number(match[3])]
              if (total !== undefined && total !== location.size) {
                return yield* Effect.fail<Failure>({
                  _tag: "Fatal",
                  error: protocol(url, 206, `an object of ${total} bytes where the asset has ${location.size}`)
                })
              }
              if (first > next) {
                return yield* Effect.fail<Failure>({
                  _tag: "Fatal",
                  error: protocol(url, 206, `bytes from ${first} when bytes from ${next} were asked for`)
                })
              }
              return next - first
            }
            if (status === 200) {
              const declared = Number(response.headers["content-length"])
              if (Number.isFinite(declared) && response.headers["content-encoding"] === undefined && declared !== location.size) {
                return yield* Effect.fail<Failure>({
                  _tag: "Fatal",
                  error: protocol(url, 200, `${declared} bytes where the asset has ${location.size}`)
                })
              }
              if (ranged && next > 0) {
                yield* Effect.logWarning(
                  `${location.name}: storage ignored the Range request and sent the whole object; skipping the ${next} bytes already held`
                )
              }
              return next
            }
            const text = yield* Effect.orElseSucceed(response.text, () => "")
            if (status === 403 && expiredPattern.test(text)) {
              return yield* Effect.fail<Failure>({
                _tag: "Retry",
                reason: "the presigned URL expired",
                retryAfter: { _tag: "Absent" },
                renew: true,
                error: HttpErrors.fromStatus({ status, method: "GET", url, body: text, contentType: response.headers["content-type"] })
              })
            }
            const error = HttpErrors.fromStatus({
              status,
              method: "GET",
              url,
              body: text,
              contentType: response.headers["content-type"]
            })
            if (RetryPolicy.isRetryableStatus(status)) {
              const now = yield* Clock.currentTimeMillis
              return yield* Effect.fail<Failure>({
                _tag: "Retry",
                reason: `status ${status}`,
                retryAfter: RetryAfter.parse(response.headers["retry-after"], now),
                renew: false,
                error
              })
            }
            return yield* Effect.fail<Failure>({ _tag: "Fatal", error })
          })

        const body = (url: string, response: HttpClientResponse.HttpClientResponse, skip: number) => {
          let toSkip = skip
          const delivered: Stream.Stream<Uint8Array, Failure> = response.stream.pipe(
            Stream.timeoutFail(
              (): Failure => ({
                _tag: "Retry",
                reason: "the body stalled",
                retryAfter: { _tag: "Absent" },
                renew: false,
                error: HttpErrors.fromTransport({ method: "GET", url, reason: "Timeout", description: "the body stalled" })
              }),
              config.requestTimeout
            ),
            Stream.mapError((error): Failure =>
              typeof error === "object" && error !== null && "_tag" in error && (error._tag === "Retry" || error._tag === "Fatal")
                ? error as Failure
                : {
                  _tag: "Retry",
                  reason: "the connection broke off",
                  retryAfter: { _tag: "Absent" },
                  renew: false,
                  error: transport(url, (error as HttpClientError.HttpClientError).message)
                }
            ),
            Stream.mapConcat((chunk): ReadonlyArray<Uint8Array> => {
              let part = chunk
              if (toSkip > 0) {
                const dropped = Math.min(toSkip, part.length)
                toSkip -= dropped
                part = part.subarray(dropped)
              }
              if (part.length > end - next) part = part.subarray(0, end - next)
              if (part.length === 0) return []
              next += part.length
              fruitless = 0
              return [part]
            })
          )
          const finished = Stream.suspend((): Stream.Stream<never, Failure> =>
            next >= end
              ? Stream.empty
              : Stream.fail({
                _tag: "Retry",
                reason: `the body ended at byte ${next} of ${end}`,
                retryAfter: { _tag: "Absent" },
                renew: false,
                error: transport(url, `the body ended at byte ${next} of ${end}`)
              })
          )
          // Once everything asked for has arrived, stop reading (a server may send more).
          return Stream.concat(Stream.takeUntil(delivered, () => next >= end), finished)
        }

        const attempt = (): Stream.Stream<Uint8Array | RetryNotice, BlobSourceError> =>
          Stream.unwrap(Effect.map(currentUrl, (url) => requestOnce(url))).pipe(
            Stream.catchAll((failure): Stream.Stream<Uint8Array | RetryNotice, BlobSourceError> => {
              if (typeof failure !== "object" || failure === null || !("_tag" in failure)) {
                return Stream.fail(failure as BlobSourceError)
              }
              const known = failure as Failure | BlobSourceError
              if (known._tag !== "Retry" && known._tag !== "Fatal") return Stream.fail(known)
              if (known._tag === "Fatal") return Stream.fail(known.error)
              fruitless += 1
              if (fruitless >= policy.attempts) return Stream.fail(known.error)
              return Stream.unwrap(Effect.gen(function*() {
                if (known.retryAfter._tag === "Ignored") {
                  yield* Effect.logWarning(`Ignoring Retry-After "${known.retryAfter.header}": ${known.retryAfter.reason}`)
                }
                const wait = known.renew
                  ? Duration.zero
                  : RetryPolicy.delay(policy, fruitless, yield* Random.next, RetryAfter.seconds(known.retryAfter))
                const notice: RetryNotice = {
                  _tag: "RetryNotice",
                  attempt: fruitless + 1,
                  attempts: policy.attempts,
                  offset: next,
                  reason: known.reason,
                  wait
                }
                yield* Effect.logDebug(`${location.name}: ${known.reason}; retrying from byte ${next} in ${Duration.format(wait)}`)
                if (known.renew) yield* Ref.set(presigned, Option.none())
                yield* Effect.sleep(wait)
                return Stream.concat(Stream.make(notice), attempt())
              }))
            })
          )

        return next >= end ? Stream.empty : attempt()
      })

    const bytes = (options?: RangeOptions): Stream.Stream<Uint8Array, BlobSourceError> =>
      Stream.filter(events(options), (item): item is Uint8Array => item instanceof Uint8Array)

    return { location, bytes, events, requests: Ref.get(requestCount) }
  })
