/**
 * An asset's bytes from storage, from any offset, surviving what storage does to long transfers.
 *
 * The archive's download route answers with a redirect to a presigned storage URL; the route is
 * asked with the API token (embargoed assets need it), the storage URL is fetched through the
 * StorageClient, without it. Each request asks for the bytes still missing
 * (`Range: bytes=<next>-<end>`), and the answer is checked before a byte is used: a 206 must carry
 * the `Content-Range` asked for and the asset's size (or, where CORS hides that header from a
 * browser, exactly the length asked for), a 200 (a server that ignored Range) has its
 * leading bytes skipped, so a resume can never splice the wrong bytes in. The StorageClient
 * retries what fails before a body starts (429 and 5xx with `Retry-After`, refused
 * connections); a body that breaks off (reset, truncation, idle timeout) is retried here with
 * backoff, continuing from the last byte received, and an expired presigned URL
 * (PresignedUrlExpired) is renewed through the API. Attempts that delivered bytes do not use up
 * the retry budget, so a flaky but working link finishes.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { ApiClientShape } from "../../ApiClient.js"
import type { DandiConfigShape } from "../../DandiConfig.js"
import { ResponseDecodeError } from "../../DandiError.js"
import * as HttpErrors from "../../HttpErrors.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import type { StorageClientShape, StorageFailure, StorageResponse } from "../../StorageClient.js"
import * as WebUrl from "../../WebUrl.js"
import * as BodyStream from "./bodyStream.js"

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

export type BlobSourceError = HttpErrors.ApiError | StorageFailure

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
    readonly renew: boolean
    readonly error: BlobSourceError
  }
  | { readonly _tag: "Fatal"; readonly error: BlobSourceError }

const isFailure = (u: unknown): u is Failure =>
  typeof u === "object" && u !== null && "_tag" in u && (u._tag === "Retry" || u._tag === "Fatal") && "error" in u

export interface Dependencies {
  readonly api: ApiClientShape
  readonly config: DandiConfigShape
  /** Token-free, with the SDK's retry policy for failures before the body starts. */
  readonly storage: StorageClientShape
}

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

        const fromStorage = (error: StorageFailure): Failure => {
          switch (error._tag) {
            case "PresignedUrlExpired":
              return { _tag: "Retry", reason: "the presigned URL expired", renew: true, error }
            case "TransportError":
              return { _tag: "Retry", reason: "the connection failed", renew: false, error }
            default:
              // StorageClient already retried what deserves it (429, 5xx, Retry-After).
              return { _tag: "Fatal", error }
          }
        }

        /** How many leading bytes of the body precede `next`; fails for answers that cannot be used. */
        const leadingBytes = (url: string, response: StorageResponse, ranged: boolean) => {
          if (response.status === 206) {
            const range = response.contentRange
            if (range === undefined) {
              // A browser sees Content-Range only where storage exposes it, and the archive's
              // bucket exposes nothing but ETag. A 206 whose length is exactly what was asked for
              // is then the range asked for; anything else cannot be placed safely.
              const asked = end - next
              if (response.headers["content-range"] === undefined && response.contentLength === asked) {
                return Either.right(0)
              }
              return Either.left(protocol(url, 206, "no usable Content-Range"))
            }
            if (range.size !== undefined && range.size !== location.size) {
              return Either.left(protocol(url, 206, `an object of ${range.size} bytes where the asset has ${location.size}`))
            }
            if (range.start > next) {
              return Either.left(protocol(url, 206, `bytes from ${range.start} when bytes from ${next} were asked for`))
            }
            return Either.right(next - range.start)
          }
          if (response.status === 200) {
            const declared = response.contentLength
            if (declared !== undefined && response.headers["content-encoding"] === undefined && declared !== location.size) {
              return Either.left(protocol(url, 200, `${declared} bytes where the asset has ${location.size}`))
            }
            return Either.right(ranged ? next : 0)
          }
          return Either.left(protocol(url, response.status, "a status that carries no object"))
        }

        const requestOnce = (url: string): Stream.Stream<Uint8Array, Failure> =>
          Stream.unwrap(Effect.gen(function*() {
            const ranged = next > 0 || end < location.size
            yield* Ref.update(requestCount, (n) => n + 1)
            const response = yield* storage.get(url, ranged ? { range: { start: next, end: end - 1 } } : {}).pipe(
              Effect.mapError(fromStorage)
            )
            const skip = yield* Effect.mapError(
              leadingBytes(url, response, ranged),
              (error): Failure => ({ _tag: "Fatal", error })
            )
            if (response.status === 200 && ranged && next > 0) {
              yield* Effect.logWarning(
                `${location.name}: storage ignored the Range request and sent the whole object; skipping the ${next} bytes already held`
              )
            }
            return body(url, response, skip)
          }))

        const body = (url: string, response: StorageResponse, skip: number): Stream.Stream<Uint8Array, Failure> => {
          let toSkip = skip
          const held = BodyStream.gathered()
          // Network chunks are batched (~1 MiB per pull) so that the stages below, and the
          // caller's (hashing, writing, progress), run per batch rather than per 64 KiB.
          const delivered: Stream.Stream<Uint8Array, Failure> = BodyStream.idleTimeout(
            response.stream.pipe(
              Stream.mapError((error): Failure => ({ _tag: "Retry", reason: "the connection broke off", renew: false, error }))
            ),
            (counted) => BodyStream.batched(counted, BodyStream.defaultBatchBytes, held),
            config.requestTimeout,
            (): Failure => ({
              _tag: "Retry",
              reason: "the body stalled",
              renew: false,
              error: HttpErrors.fromTransport({ method: "GET", url, reason: "Timeout", description: "the body stalled" })
            }),
            held
          ).pipe(
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
                renew: false,
                error: HttpErrors.fromTransport({
                  method: "GET",
                  url,
                  reason: "Connection",
                  description: `the body ended at byte ${next} of ${end}`
                })
              })
          )
          // Once everything asked for has arrived, stop reading (a server may send more). The
          // position is counted per element: `next` runs ahead over a whole batch.
          let position = next
          return Stream.concat(Stream.takeUntil(delivered, (part) => (position += part.length) >= end), finished)
        }

        const attempt = (): Stream.Stream<Uint8Array | RetryNotice, BlobSourceError> =>
          Stream.unwrap(Effect.map(currentUrl, (url) => requestOnce(url))).pipe(
            Stream.catchAll((failure: Failure | BlobSourceError): Stream.Stream<Uint8Array | RetryNotice, BlobSourceError> => {
              if (!isFailure(failure)) return Stream.fail(failure)
              if (failure._tag === "Fatal") return Stream.fail(failure.error)
              fruitless += 1
              if (fruitless >= policy.attempts) return Stream.fail(failure.error)
              return Stream.unwrap(Effect.gen(function*() {
                const wait = failure.renew ? Duration.zero : RetryPolicy.delay(policy, fruitless, yield* Random.next)
                const notice: RetryNotice = {
                  _tag: "RetryNotice",
                  attempt: fruitless + 1,
                  attempts: policy.attempts,
                  offset: next,
                  reason: failure.reason,
                  wait
                }
                yield* Effect.logDebug(`${location.name}: ${failure.reason}; retrying from byte ${next} in ${Duration.format(wait)}`)
                if (failure.renew) yield* Ref.set(presigned, Option.none())
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
