/**
 * Fault injection for the archive emulator: a plan of rules, each matching requests by origin,
 * method and path prefix, and injecting one action (an error status, a reset or truncated
 * connection, corrupted bytes, latency, a slow body, an expired presigned URL). Decisions come
 * from a seeded PRNG so a failing run can be reproduced exactly.
 *
 * File format (JSON): `{"seed": 1, "rules": [{"target": "api", "method": "GET",
 * "pathPrefix": "/api/dandisets/", "probability": 0.5, "times": 3, "action": "status",
 * "status": 503, "retryAfter": 1}]}`. `skip: N` lets the first N matching requests through
 * before a rule fires (to hit, say, only the request that resumes a download).
 *
 * Actions and their parameters:
 * - `status` (`status`, `retryAfter`?): answer at once, as a proxy or the store would (DRF's
 *   throttle body for a 429 on the API, S3 XML on the store), with `Retry-After` if given.
 * - `reset` (`afterBytes`?): drop the connection after that many body bytes; without
 *   `afterBytes`, before any response.
 * - `truncate` (`afterBytes`): end the body early while `Content-Length` keeps the full size.
 * - `stall` (`afterBytes`? = 0): send that many body bytes, then nothing more while the
 *   connection stays open (until the client gives up), as a hung store or proxy does.
 * - `corrupt` (`bytes`? = 1): flip that many bytes of the body (positions from the PRNG).
 * - `delay` (`delayMs`?, `perItemMs`?): latency, plus `perItemMs` per item of a page's `results`.
 * - `throttle` (`bytesPerSecond`): deliver the body at that rate.
 * - `expire`: answer as S3 does for an expired presigned URL (403 AccessDenied).
 * - `lose`: answer a PUT as the store does on success (200, the body's MD5 as `ETag`) but keep
 *   nothing, as a store that lost the write would; other methods pass untouched.
 * - `etag`: answer with a wrong `ETag` header (as a store that damaged the bytes would).
 * - `ignoreRange`: serve the request as if it had no `Range` header (200 and the whole object),
 *   as a proxy or a store that does not support ranges does.
 *
 * Every matching rule fires, in plan order; `status`, `expire` and an early `reset` end the
 * request. Timing uses the Effect clock, so tests step it with `TestClock`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as ConfigFile from "./ConfigFile.js"
import type { EmulatorOrigin, EmulatorRequest } from "./EmulatorHttp.js"
import * as RequestUrl from "./RequestUrl.js"

export const actionNames = [
  "status",
  "reset",
  "truncate",
  "stall",
  "corrupt",
  "delay",
  "throttle",
  "expire",
  "lose",
  "etag",
  "ignoreRange"
] as const

export type FaultActionName = typeof actionNames[number]

/** A string from a fixed list; the one-line error lists the choices. */
const oneOf = <const L extends ReadonlyArray<string>>(choices: L, message: string) =>
  Schema.String.annotations({ message: () => message }).pipe(
    Schema.filter((value): value is L[number] => choices.includes(value), { message: () => message })
  )

const NonNegativeInt = Schema.Int.pipe(
  Schema.nonNegative({ message: () => "expected a whole number ≥ 0" })
).annotations({ message: () => "expected a whole number ≥ 0" })

const NonNegative = Schema.Number.pipe(Schema.nonNegative()).annotations({ message: () => "expected a number ≥ 0" })

const FaultRuleFields = Schema.Struct({
  target: oneOf(["api", "s3"], "expected \"api\" or \"s3\""),
  /** HTTP method to match (any when absent). */
  method: Schema.optional(Schema.String.annotations({ message: () => "expected an HTTP method such as \"GET\"" })),
  /** Matches the decoded request path, e.g. `/api/dandisets/`. */
  pathPrefix: Schema.optional(Schema.String.annotations({ message: () => "expected a path such as \"/api/\"" })),
  /** Chance that a matching request is hit (default 1). */
  probability: Schema.optional(
    Schema.Number.pipe(Schema.between(0, 1)).annotations({ message: () => "expected a number between 0 and 1" })
  ),
  /** Maximum number of injections (unlimited when absent). */
  times: Schema.optional(NonNegativeInt),
  /** Matching requests let through untouched before the rule starts firing (default 0). */
  skip: Schema.optional(NonNegativeInt),
  action: oneOf(actionNames, `expected one of ${actionNames.join(", ")}`),
  /** `status`: the status code to answer with. */
  status: Schema.optional(
    Schema.Int.pipe(Schema.between(200, 599)).annotations({ message: () => "expected a status code 200–599" })
  ),
  /** `status`: seconds for a `Retry-After` header. */
  retryAfter: Schema.optional(NonNegativeInt),
  /** `reset` / `truncate` / `stall`: body bytes delivered before the connection ends (or goes quiet). */
  afterBytes: Schema.optional(NonNegativeInt),
  /** `corrupt`: how many bytes to flip (default 1). */
  bytes: Schema.optional(NonNegativeInt),
  /** `delay`: fixed latency before the response. */
  delayMs: Schema.optional(NonNegative),
  /** `delay`: extra latency per item of a list page's `results`. */
  perItemMs: Schema.optional(NonNegative),
  /** `throttle`: body delivery rate. */
  bytesPerSecond: Schema.optional(
    Schema.Number.pipe(Schema.positive()).annotations({ message: () => "expected a number > 0" })
  )
})

export const FaultRule = FaultRuleFields.pipe(
  Schema.filter((rule) => {
    if (rule.action === "status" && rule.status === undefined) {
      return { path: ["status"], message: "required when action is \"status\" (e.g. 503)" }
    }
    if (rule.action === "throttle" && rule.bytesPerSecond === undefined) {
      return { path: ["bytesPerSecond"], message: "required when action is \"throttle\"" }
    }
    if (rule.action === "delay" && rule.delayMs === undefined && rule.perItemMs === undefined) {
      return { path: ["delayMs"], message: "delayMs or perItemMs is required when action is \"delay\"" }
    }
    if (rule.action === "truncate" && rule.afterBytes === undefined) {
      return { path: ["afterBytes"], message: "required when action is \"truncate\"" }
    }
    return true
  })
)

export type FaultRule = typeof FaultRule.Type

export const FaultPlan = Schema.Struct({
  seed: Schema.optionalWith(Schema.Int.annotations({ message: () => "expected a whole number" }), {
    default: () => 0
  }),
  rules: Schema.Array(FaultRule).annotations({ message: () => "expected a list of rules" })
})

/** A fault plan; build one in code or decode a file with {@link decodeFile}. */
export interface FaultPlan {
  readonly seed?: number | undefined
  readonly rules: ReadonlyArray<FaultRule>
}

/** Decodes a fault-plan JSON document; errors read `faults file: rules[2].action: …`. */
export const decodeFile: (text: string) => Effect.Effect<FaultPlan, ConfigFile.ConfigFileError> = ConfigFile
  .decodeJson(FaultPlan, "faults file")

/** Receives one line per injected fault, each starting with `fault:`. */
export type FaultReporter = (line: string) => Effect.Effect<void>

export const defaultReporter: FaultReporter = (line) => Effect.logWarning(line)

/** mulberry32: tiny, fast and good enough to make fault decisions reproducible from a seed. */
const makeRandom = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FaultHit {
  readonly index: number
  readonly rule: FaultRule
}

export interface FaultInjector {
  /** The rules that fire for this request, in plan order; each counts toward its `times`. */
  readonly decide: (origin: EmulatorOrigin, request: EmulatorRequest) => Effect.Effect<ReadonlyArray<FaultHit>>
  /** A number in [0, 1) from the plan's PRNG (for byte positions to corrupt). */
  readonly random: Effect.Effect<number>
  readonly report: (hit: FaultHit, origin: EmulatorOrigin, request: EmulatorRequest, detail: string) => Effect.Effect<void>
}

const matches = (rule: FaultRule, origin: EmulatorOrigin, request: EmulatorRequest, path: string): boolean =>
  rule.target === origin &&
  (rule.method === undefined || rule.method.toUpperCase() === request.method.toUpperCase()) &&
  (rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix))

export const makeInjector = (plan: FaultPlan, reporter: FaultReporter = defaultReporter): FaultInjector => {
  const next = makeRandom(plan.seed ?? 0)
  const injected = plan.rules.map(() => 0)
  const passed = plan.rules.map(() => 0)
  const decide = (origin: EmulatorOrigin, request: EmulatorRequest) =>
    Effect.sync(() => {
      if (plan.rules.length === 0) return []
      const path = RequestUrl.parse(request.url).path
      const hits: Array<FaultHit> = []
      plan.rules.forEach((rule, index) => {
        if (!matches(rule, origin, request, path)) return
        if (rule.times !== undefined && injected[index]! >= rule.times) return
        // A roll is drawn for every matching rule, even a certain one, so adding `probability`
        // to one rule does not shift the decisions of the others.
        const roll = next()
        if (passed[index]! < (rule.skip ?? 0)) {
          passed[index]! += 1
          return
        }
        if (roll >= (rule.probability ?? 1)) return
        injected[index]! += 1
        hits.push({ index, rule })
      })
      return hits
    })
  // Only the path goes into the line: presigned query strings carry signatures.
  const report = (hit: FaultHit, origin: EmulatorOrigin, request: EmulatorRequest, detail: string) =>
    reporter(
      `fault: ${hit.rule.action}${detail === "" ? "" : " " + detail} on ${request.method} ${origin} ${
        RequestUrl.parse(request.url).rawPath
      } (rules[${hit.index}])`
    )
  return { decide, random: Effect.sync(next), report }
}
