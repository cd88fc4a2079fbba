/**
 * The one retry policy of the SDK, used by the API client and the storage client alike.
 *
 * Retried: transport failures (refused, reset, DNS, per-request timeout) and the statuses 429,
 * 500, 502, 503 and 504 — the set dandi-cli retries (spec client-behaviour.md §2.3). Every method
 * is retried, as in dandi-cli, because the archive's writes are either idempotent or guarded by
 * conflicts (409) that a repeat attempt reports instead of duplicating.
 *
 * Waits: exponential (`base × factor^(retry-1)`), capped at `cap`, then spread by ± `jitter`
 * (a fraction) so that many clients do not retry in lock-step. A `Retry-After` header is a floor:
 * the client never comes back sooner than the server asked. `totalWait` gives the whole budget.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Total attempts including the first one (1 = never retry). */
  readonly attempts: number
  /** Wait before the first retry. */
  readonly base: Duration.Duration
  /** Growth factor of the wait from one retry to the next. */
  readonly factor: number
  /** Largest wait computed by the backoff (a longer `Retry-After` is still honoured). */
  readonly cap: Duration.Duration
  /** Relative spread in [0, 1): 0.2 means each wait is drawn from [0.8 w, 1.2 w]. */
  readonly jitter: number
}

/**
 * 10 attempts; the 9 waits between them add up to 183.5 s before jitter (0.5, 1, 2, 4, 8, 16,
 * 32, 60, 60 s), between 146.8 s and 196.2 s with it (`totalWait`): about three minutes of
 * patience for an archive that stopped answering, enough to ride out a deployment or a throttling
 * window. The attempts themselves add their own time (each up to DandiConfig's
 * `requestTimeout`, 60 s), and a `Retry-After` longer than a wait lengthens it. An archive that
 * has never answered in this process is not waited for at all: a refused connection or an
 * unknown host fails at once (see ApiClient).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicy: RetryPolicy = {
  attempts: 10,
  base: Duration.millis(500),
  factor: 2,
  cap: Duration.seconds(60),
  jitter: 0.2
}

/**
 * A policy that gives up at the first failure, for callers that retry on their own.
 *
 * @since 0.1.0
 * @category constants
 */
export const never: RetryPolicy = { ...defaultPolicy, attempts: 1 }

/**
 * Statuses worth another attempt: throttling and the server-side transient failures.
 *
 * @since 0.1.0
 * @category constants
 */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])

/**
 * @since 0.1.0
 * @category guards
 */
export const isRetryableStatus = (status: number): boolean => retryableStatuses.has(status)

/**
 * The wait before retry number `retry` (1 for the first retry). `random` is a number in [0, 1)
 * (from Effect's `Random`, so tests can pin it); `retryAfterSeconds` is the server's request.
 *
 * @since 0.1.0
 * @category utils
 */
export const delay = (
  policy: RetryPolicy,
  retry: number,
  random: number,
  retryAfterSeconds?: number
): Duration.Duration => {
  const baseMillis = Duration.toMillis(policy.base)
  const capMillis = Duration.toMillis(policy.cap)
  const exponential = Math.min(capMillis, baseMillis * Math.pow(policy.factor, Math.max(0, retry - 1)))
  const spread = 1 - policy.jitter + 2 * policy.jitter * random
  const backoff = Math.min(capMillis, Math.round(exponential * spread))
  const floor = retryAfterSeconds === undefined ? 0 : retryAfterSeconds * 1000
  return Duration.millis(Math.max(backoff, floor))
}

/**
 * Checks a policy supplied by the user; returns a message saying what is wrong, if anything.
 *
 * @since 0.1.0
 * @category utils
 */
export const problems = (policy: RetryPolicy): ReadonlyArray<string> => {
  const found: Array<string> = []
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    found.push(`retry attempts must be a whole number ≥ 1 (got ${policy.attempts})`)
  }
  if (!(policy.factor >= 1)) found.push(`retry factor must be ≥ 1 (got ${policy.factor})`)
  if (!(policy.jitter >= 0 && policy.jitter < 1)) found.push(`retry jitter must be in [0, 1) (got ${policy.jitter})`)
  return found
}

/**
 * The shortest and longest total wait the policy can spend between its attempts (jitter at its
 * extremes, no `Retry-After`), without the time the attempts themselves take.
 *
 * @since 0.1.0
 * @category utils
 */
export const totalWait = (policy: RetryPolicy): { readonly min: Duration.Duration; readonly max: Duration.Duration } => {
  let min = 0
  let max = 0
  for (let retry = 1; retry < policy.attempts; retry++) {
    min += Duration.toMillis(delay(policy, retry, 0))
    max += Duration.toMillis(delay(policy, retry, 1))
  }
  return { min: Duration.millis(min), max: Duration.millis(max) }
}
