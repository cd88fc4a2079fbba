/**
 * A small zarr entry fetched whole, as one Effect: the archive's redirect, one storage GET, the
 * body read at once and its MD5 compared with the listing's ETag, and only then the bytes handed
 * to the target's sink, which makes them appear at the entry's path. Zarr stores hold 10^4–10^6
 * chunks of a few KiB, where the per-entry machinery of the blob Downloader (a resumable,
 * ranged, batched stream with an idle watchdog per pull) costs more than the bytes; resuming an
 * entry this small is pointless, so an interrupted one is simply fetched again.
 *
 * The redirect is asked for with GET, not HEAD: undici closes the connection after every HEAD
 * (a defence against servers that send a body anyway), which meant a new TCP connection to the
 * API per entry; a GET answered by a 302 keeps it alive.
 *
 * What is kept from the Downloader: the API request's retries (ApiClient) and the storage GET's
 * (StorageClient: 429, 5xx, refused connections); a body that breaks off or times out is asked
 * for again with the retry policy's backoff; an expired presigned URL is renewed through the
 * API; a digest mismatch discards the bytes and the entry is fetched once more before it fails
 * with DigestMismatch.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { ApiClientShape } from "../../ApiClient.js"
import type { ByteSink } from "../../ByteSink.js"
import type { DandiConfigShape } from "../../DandiConfig.js"
import { DigestMismatch, type PresignedUrlExpired, ResponseDecodeError, type TransportError } from "../../DandiError.js"
import type { HasherShape } from "../../Hasher.js"
import { toHex } from "../../Hasher.js"
import * as HttpErrors from "../../HttpErrors.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import type { StorageClientShape } from "../../StorageClient.js"
import * as WebUrl from "../../WebUrl.js"
import type { DownloadError, DownloadEvent } from "../download/model.js"

/**
 * Entries up to this size are fetched whole; larger ones go through the Downloader (streamed,
 * hashed off the main thread, resumable). At this size a read of the whole body within the
 * request timeout (60 s by default) still allows links as slow as 17 KiB/s.
 */
export const WHOLE_ENTRY_LIMIT = 1 << 20

export interface Services {
  readonly api: ApiClientShape
  readonly storage: StorageClientShape
  readonly config: DandiConfigShape
  readonly hasher: HasherShape
}

export interface Entry {
  /** The API route that redirects to the entry's object. */
  readonly url: string
  readonly key: string
  readonly size: number
  /** The listing's ETag: the MD5 of the entry's bytes. */
  readonly md5: string
}

/** Where the API sent the download: storage, or (a server that serves the bytes itself) the bytes. */
type Resolved = { readonly _tag: "Url"; readonly url: string } | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }

/** Why one attempt did not deliver the entry. */
type Miss =
  | { readonly _tag: "Renew"; readonly error: PresignedUrlExpired }
  | { readonly _tag: "Broken"; readonly reason: string; readonly error: TransportError }

/**
 * Downloads `entry` into `sink`, reporting `Started`, `Progress` (once every byte arrived),
 * `Retrying` / `Restarted` when they happen, and `Completed` once the sink has committed.
 */
export const fetch = (
  services: Services,
  entry: Entry,
  sink: ByteSink,
  report: (event: DownloadEvent) => Effect.Effect<void>
): Effect.Effect<void, DownloadError> =>
  Effect.gen(function*() {
    const { api, config, hasher, storage } = services
    const policy = config.retry
    const name = entry.key
    const expected = { size: entry.size, digests: { md5: entry.md5 } }
    yield* report({ _tag: "Started", name, size: entry.size, resumedFrom: 0 })

    const bodyOf = <E>(url: string, read: Effect.Effect<Uint8Array, E>) =>
      Effect.timeoutFail(read, {
        duration: config.requestTimeout,
        onTimeout: () => HttpErrors.fromTransport({ method: "GET", url, reason: "Timeout", description: "the body stalled" })
      })

    /** The storage URL the API redirects to, or the bytes when the API serves them itself. */
    const resolve = Effect.flatMap(
      api.send("GET", entry.url, {
        redirect: "manual",
        notFound: {
          resource: "zarr entry",
          id: name,
          message: `No such zarr entry to download: ${name} (${HttpErrors.displayUrl(entry.url)}). The zarr may have changed; download it again.`
        }
      }),
      (response): Effect.Effect<Resolved, TransportError> => {
        const location = response.headers["location"]
        const body = bodyOf(
          entry.url,
          Effect.mapBoth(response.arrayBuffer, {
            onFailure: (error) =>
              HttpErrors.fromTransport({ method: "GET", url: entry.url, reason: "Connection", description: error.message }),
            onSuccess: (buffer) => new Uint8Array(buffer)
          })
        )
        // Read even when empty, so that the connection goes back to the pool. A redirect whose
        // target is hidden (a browser's opaque redirect) is followed by the storage client, as
        // the Downloader does.
        if (location !== undefined) {
          return Effect.as(body, { _tag: "Url", url: WebUrl.parse(location, entry.url)?.href ?? location } satisfies Resolved)
        }
        return response.status === 200
          ? Effect.map(body, (bytes): Resolved => ({ _tag: "Bytes", bytes }))
          : Effect.as(body, { _tag: "Url", url: entry.url } satisfies Resolved)
      }
    )

    const fromStorage = (url: string): Effect.Effect<Uint8Array, DownloadError> =>
      Effect.flatMap(storage.get(url), (response): Effect.Effect<Uint8Array, DownloadError> =>
        // The whole object, or a body that says so: a partial answer cannot be the entry.
        response.status !== 200 || (response.contentLength !== undefined &&
            response.headers["content-encoding"] === undefined && response.contentLength !== entry.size)
          ? Effect.fail(
            new ResponseDecodeError({
              message: `GET ${HttpErrors.displayUrl(url)} for the zarr entry ${name} answered ${response.status} with ${
                response.contentLength ?? "an unknown number of"
              } bytes where the entry has ${entry.size}; the storage server does not behave as S3 does, so its bytes were not used.`,
              method: "GET",
              url: HttpErrors.displayUrl(url),
              status: response.status,
              excerpt: ""
            })
          )
          : bodyOf(url, response.bytes))

    interface Fetched {
      /** The storage URL to ask again after a digest mismatch (none when the API served the bytes). */
      readonly url: string | undefined
      readonly bytes: Uint8Array
    }
    const attempt = (url: string | undefined) =>
      Effect.suspend((): Effect.Effect<Fetched, DownloadError> =>
        url !== undefined
          ? Effect.map(fromStorage(url), (bytes): Fetched => ({ url, bytes }))
          : Effect.flatMap(resolve, (resolved): Effect.Effect<Fetched, DownloadError> =>
            resolved._tag === "Bytes"
              ? Effect.succeed({ url: undefined, bytes: resolved.bytes })
              : Effect.map(fromStorage(resolved.url), (bytes): Fetched => ({ url: resolved.url, bytes })))
      ).pipe(
        Effect.catchTags({
          PresignedUrlExpired: (error): Effect.Effect<never, Miss> => Effect.fail({ _tag: "Renew", error }),
          TransportError: (error): Effect.Effect<never, Miss> =>
            Effect.fail({ _tag: "Broken", reason: error.reason === "Timeout" ? "the body stalled" : "the connection broke off", error })
        })
      )

    let url: string | undefined
    let fruitless = 0
    let restartsLeft = 1
    for (;;) {
      const got = yield* Effect.either(attempt(url))
      if (got._tag === "Left") {
        const miss = got.left
        if (miss._tag !== "Renew" && miss._tag !== "Broken") return yield* Effect.fail(miss)
        fruitless += 1
        if (fruitless >= policy.attempts) return yield* Effect.fail(miss.error)
        const renew = miss._tag === "Renew"
        const reason = renew ? "the presigned URL expired" : miss.reason
        const wait = renew ? Duration.zero : RetryPolicy.delay(policy, fruitless, yield* Random.next)
        yield* report({ _tag: "Retrying", name, offset: 0, attempt: fruitless + 1, attempts: policy.attempts, reason })
        if (renew) url = undefined
        yield* Effect.sleep(wait)
        continue
      }
      url = got.right.url
      const bytes = got.right.bytes
      yield* report({ _tag: "Progress", name, done: bytes.length, size: entry.size })
      const hash = hasher.create("md5")
      hash.update(bytes)
      const actual = toHex(hash.digest())
      const wanted = entry.md5.toLowerCase()
      if (actual === wanted && bytes.length === entry.size) {
        yield* Effect.scoped(Effect.flatMap(sink.open(expected), (session) =>
          Effect.zipRight(
            // A sink may hold bytes of an earlier run for this content; they are not wanted here.
            session.held > 0 ? session.reset : Effect.void,
            Effect.zipRight(session.write(bytes), session.commit({}))
          )))
        return yield* report({ _tag: "Completed", name, size: entry.size, resumedFrom: 0, verified: ["md5"] })
      }
      const description = bytes.length === entry.size
        ? `md5: downloaded ${actual} != ${wanted}`
        : `size: downloaded ${bytes.length} bytes where the listing has ${entry.size}`
      if (restartsLeft > 0) {
        restartsLeft -= 1
        yield* Effect.logWarning(`${name}: ${description}; the bytes were discarded, downloading again`)
        yield* report({ _tag: "Restarted", name, reason: description })
        continue
      }
      return yield* new DigestMismatch({
        message: `${name} did not match its md5 digest (${description}); the downloaded bytes were discarded. Try again; if it keeps happening, report the zarr to the archive's administrators.`,
        algorithm: "md5",
        expected: wanted,
        actual,
        path: name
      })
    }
  })
