/**
 * The one retry engine of the SDK, shared by the API client and the storage client: a `Schedule`
 * built from the RetryPolicy (exponential, capped, jittered with Effect's `Random`, Retry-After as
 * a floor, waits on the Effect clock) and a single classifier that decides what is transient.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as FetchRefusal from "../FetchRefusal.js"
import * as RetryAfter from "../RetryAfter.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** A body shorter than its declared Content-Length: the connection broke off. */
export class TruncatedBody {
  readonly _tag = "TruncatedBody"
  constructor(readonly received: number, readonly declared: number) {}
}

/**
 * A 2xx body that is not valid UTF-8 or not valid JSON: bytes damaged on the way (or a proxy's
 * page). Like a body cut short it is worth another attempt; what the last attempt read is kept
 * for the error that follows.
 */
export class UnreadableBody {
  readonly _tag = "UnreadableBody"
  constructor(
    readonly problem: string,
    readonly body: string,
    readonly status: number,
    readonly url: string
  ) {}
}

/** Every way an HTTP attempt can fail before the caller judges its status. */
export type Failure = HttpClientError.HttpClientError | Cause.TimeoutException | TruncatedBody | UnreadableBody

/** Errors of a connection that was never made: nothing answered at that address. */
const unreachableCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "EHOSTUNREACH",
  "ENETUNREACH",
  FetchRefusal.codes.unreachable
])

/**
 * The system error code when `failure` is a connection that could not be made at all (refused,
 * unknown host, no route), found in its chain of causes; undefined otherwise. In browsers, whose
 * fetch does not say, BrowserHttp finds out and rejects with a FetchRefusal carrying such a code.
 */
export const unreachableCode = (failure: unknown): string | undefined => {
  let current: unknown = failure
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && unreachableCodes.has(code)) return code
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

/** Why an attempt deserves another go; `retryAfter` is the server's requested wait. */
export interface Transient {
  readonly reason: string
  readonly retryAfter: RetryAfter.RetryAfter
}

const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    if (current.message.length > 0) parts.push(current.message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.join(": ")
}

const isHttpClientError = (u: unknown): u is HttpClientError.HttpClientError =>
  Predicate.hasProperty(u, "_tag") && (u._tag === "RequestError" || u._tag === "ResponseError") &&
  Predicate.hasProperty(u, "reason")

/** A failure that got no complete answer, described for logs and errors. */
export interface TransportFailure {
  readonly reason: "Connection" | "Timeout" | "Other"
  readonly description: string
  /** Whether another attempt may succeed (refused, reset, timed out, cut short). */
  readonly transient: boolean
}

/**
 * What a failed attempt was, for every failure an HTTP attempt can end with: a transport error, a
 * body that broke off (a `Decode` response error or a short body), a timeout, or anything else.
 */
export const transportFailure = (failure: unknown): TransportFailure => {
  if (Cause.isTimeoutException(failure)) return { reason: "Timeout", description: "no answer in time", transient: true }
  if (failure instanceof UnreadableBody) {
    return { reason: "Other", description: failure.problem, transient: true }
  }
  if (failure instanceof TruncatedBody) {
    return {
      reason: "Connection",
      description: `the body ended after ${failure.received} of ${failure.declared} bytes`,
      transient: true
    }
  }
  const refusal = FetchRefusal.find(failure)
  if (refusal?.kind === "cors") return { reason: "Other", description: refusal.message, transient: false }
  if (isHttpClientError(failure)) {
    const description = failure.description ?? describeCause(failure.cause)
    if (failure._tag === "RequestError") {
      return failure.reason === "Transport"
        ? { reason: "Connection", description, transient: true }
        : { reason: "Other", description: `${failure.reason}: ${description}`, transient: false }
    }
    // A body that broke off half-way is a connection failure: worth another attempt.
    return failure.reason === "Decode"
      ? { reason: "Connection", description, transient: true }
      : { reason: "Other", description, transient: false }
  }
  return { reason: "Other", description: String(failure), transient: false }
}

/**
 * THE transient-error classifier. An attempt either failed (`Left`: any failure, judged by
 * `transportFailure`) or was answered (`Right`: the response whose status decides, or `null` for
 * an answer the caller has accepted already). Transient: transport failures, timeouts, bodies cut
 * short, and the statuses of `RetryPolicy.retryableStatuses`, whose `Retry-After` is read against
 * the Effect clock.
 */
export const classify = (
  result: Either.Either<HttpClientResponse.HttpClientResponse | null, unknown>
): Effect.Effect<Transient | undefined> =>
  Either.match(result, {
    onLeft: (failure) => {
      const described = transportFailure(failure)
      return Effect.succeed(
        described.transient
          ? { reason: `${described.reason}: ${described.description}`, retryAfter: { _tag: "Absent" } }
          : undefined
      )
    },
    onRight: (response) =>
      response === null || !RetryPolicy.isRetryableStatus(response.status)
        ? Effect.succeed(undefined)
        : Effect.map(Clock.currentTimeMillis, (now) => ({
          reason: `status ${response.status}`,
          retryAfter: RetryAfter.parse(response.headers["retry-after"], now)
        }))
  })

/** An attempt the classifier called transient, carried through the schedule. */
class Retryable<A, E> {
  readonly _tag = "Retryable"
  constructor(readonly result: Either.Either<A, E>, readonly transient: Transient) {}
}

/**
 * The policy as a Schedule over transient verdicts: at most `attempts - 1` retries, each after
 * `RetryPolicy.delay` (jitter drawn from Effect's `Random`, `Retry-After` as a floor). Every retry
 * is logged with its reason and wait; `label` names the request (never with its query string).
 */
export const schedule = <A, E>(
  policy: RetryPolicy.RetryPolicy,
  label: string
): Schedule.Schedule<[Retryable<A, E>, number], Retryable<A, E>> =>
  Schedule.identity<Retryable<A, E>>().pipe(
    Schedule.intersect(Schedule.recurs(policy.attempts - 1)),
    Schedule.addDelayEffect(([{ transient }, retried]) =>
      Effect.gen(function*() {
        if (transient.retryAfter._tag === "Ignored") {
          yield* Effect.logWarning(
            `Ignoring Retry-After "${transient.retryAfter.header}" from ${label}: ${transient.retryAfter.reason}`
          )
        }
        const random = yield* Random.next
        const wait = RetryPolicy.delay(policy, retried + 1, random, RetryAfter.seconds(transient.retryAfter))
        yield* Effect.logWarning(
          `Will retry ${label} in ${Duration.format(wait)} (attempt ${retried + 2} of ${policy.attempts}): ${transient.reason}`
        )
        return wait
      })
    )
  )

/** The last attempt's result and how many attempts were made. */
export interface Retried<A, E> {
  readonly result: Either.Either<A, E>
  readonly attempts: number
}

/**
 * Runs `attempt` again while `judge` calls its result transient and the policy allows; never
 * fails: the last result (success or failure) is handed back with the number of attempts, so the
 * caller still sees the final status or error.
 */
export const retrying = <A, E, R>(
  policy: RetryPolicy.RetryPolicy,
  label: string,
  attempt: Effect.Effect<A, E, R>,
  judge: (result: Either.Either<A, E>) => Effect.Effect<Transient | undefined>
): Effect.Effect<Retried<A, E>, never, R> =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make(0)
    const once: Effect.Effect<Either.Either<A, E>, Retryable<A, E>, R> = Effect.zipRight(
      Ref.update(attempts, (n) => n + 1),
      Effect.flatMap(Effect.either(attempt), (result) =>
        Effect.flatMap(judge(result), (transient) =>
          transient === undefined ? Effect.succeed(result) : Effect.fail(new Retryable(result, transient))))
    )
    const result = yield* Effect.retryOrElse(
      once,
      schedule<A, E>(policy, label),
      (last) => Effect.succeed(last.result)
    )
    return { result, attempts: yield* Ref.get(attempts) }
  })
