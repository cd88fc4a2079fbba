/**
 * Settings of the HTTP stack: which archive instance, how to page, how to retry, how long to wait.
 *
 * ```ts
 * interface DandiConfigShape {
 *   instance: DandiInstance           // { name, gui, api } (DandiInstance.ts)
 *   pageSize: number                  // default 1000: the server's maximum (spec landscape.md §4)
 *   pageConcurrency: number           // default 2 pages in flight after page 1
 *   retry: RetryPolicy                // see RetryPolicy.ts
 *   requestTimeout: Duration          // per attempt, until the JSON body is read (default 60 s)
 *   userAgent: string | null          // "dandi-effect/<version>"; null sends none (browsers)
 *   apiKeyVariable: string            // the one variable holding the key (DandiInstance.apiKeyVariable)
 *   onInvalid: "fail" | "skip"        // a listed record that does not fit: end the listing, or report and go on
 * }
 * DandiConfig.layer(options)          // Layer<DandiConfig, ConfigError | UnknownInstanceError, HttpClient>
 * DandiConfig.layerConfig             // same, from DANDI_INSTANCE, DANDI_PAGE_SIZE, … via Effect Config
 * DandiConfig.layerStatic(shape)      // no discovery, no HttpClient (tests)
 * ```
 *
 * The instance is resolved as dandi-cli does (spec client-behaviour.md §1.2; InstanceDiscovery.ts):
 * a name or URL is looked up through the server's `/info/`, and the API URL the server announces
 * wins. One deliberate difference: the server's `cli-minimal-version` and `cli-bad-versions` gate
 * dandi-cli's own releases, not this SDK, whose version numbers are unrelated — so they are
 * ignored rather than compared with `dandi-effect`'s version.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { UnknownInstanceError } from "./DandiError.js"
import * as DandiInstance from "./DandiInstance.js"
import * as InstanceDiscovery from "./InstanceDiscovery.js"
import { packageVersion } from "./PackageVersion.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * @since 0.1.0
 * @category models
 */
export type InstanceRecord = InstanceDiscovery.InstanceRecord

/**
 * @since 0.1.0
 * @category models
 */
export interface DandiConfigShape {
  readonly instance: DandiInstance.DandiInstance
  readonly pageSize: number
  readonly pageConcurrency: number
  readonly retry: RetryPolicy.RetryPolicy
  readonly requestTimeout: Duration.Duration
  readonly userAgent: string | null
  /**
   * The environment variable that holds this instance's API key, and the one messages name:
   * `{NAME}_API_KEY` for an instance chosen by name, `DANDI_API_KEY` for one chosen by a URL
   * (see `DandiInstance.apiKeyVariable`). No other variable is ever read for it.
   */
  readonly apiKeyVariable: string
  /**
   * What a listed record that does not fit its schema does: `"fail"` (default) ends the listing
   * with a ResponseDecodeError naming the record and the field; `"skip"` logs a warning naming
   * them and the listing goes on. A single record asked for by itself always fails.
   */
  readonly onInvalid: "fail" | "skip"
}

/**
 * @since 0.1.0
 * @category tags
 */
export class DandiConfig extends Context.Tag("@dandi-effect/core/DandiConfig")<DandiConfig, DandiConfigShape>() {}

/**
 * The archive's own maximum page size; larger requests are silently capped by the server.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxPageSize = 1000

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultUserAgent = `dandi-effect/${packageVersion}`

/**
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  instance: "dandi",
  pageSize: maxPageSize,
  pageConcurrency: 2,
  retry: RetryPolicy.defaultPolicy,
  requestTimeout: Duration.seconds(60),
  userAgent: defaultUserAgent,
  onInvalid: "fail"
} as const

/**
 * @since 0.1.0
 * @category models
 */
export interface DandiConfigOptions {
  /** A known name (`dandi`, `dandi-sandbox`, `linc`, …), a web or API URL, or a resolved record. */
  readonly instance?: string | InstanceRecord | undefined
  /** Ask the server for its URLs (default true); false uses known records and URLs as given. */
  readonly discover?: boolean | undefined
  /** Host of the `dandi-api-local-docker-tests` URLs (dandi-cli's DANDI_INSTANCEHOST). */
  readonly instanceHost?: string | undefined
  readonly pageSize?: number | undefined
  readonly pageConcurrency?: number | undefined
  readonly retry?: Partial<RetryPolicy.RetryPolicy> | undefined
  readonly requestTimeout?: Duration.DurationInput | undefined
  readonly userAgent?: string | null | undefined
  /** See DandiConfigShape.onInvalid. */
  readonly onInvalid?: "fail" | "skip" | undefined
}

const invalid = (key: string, message: string): ConfigError.ConfigError => ConfigError.InvalidData([key], message)

type Settings = Omit<DandiConfigShape, "instance" | "apiKeyVariable">

/**
 * Checks every numeric setting; the error names the setting and the accepted range.
 *
 * @since 0.1.0
 * @category utils
 */
export const validate = (options: Settings): Either.Either<Settings, ConfigError.ConfigError> => {
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > maxPageSize) {
    return Either.left(
      invalid("pageSize", `page size must be a whole number from 1 to ${maxPageSize} (got ${options.pageSize}); the default ${maxPageSize} is the fastest`)
    )
  }
  if (!Number.isInteger(options.pageConcurrency) || options.pageConcurrency < 1) {
    return Either.left(
      invalid("pageConcurrency", `page concurrency must be a whole number ≥ 1 (got ${options.pageConcurrency}); 1 or 2 is kind to the archive`)
    )
  }
  const retryProblems = RetryPolicy.problems(options.retry)
  if (retryProblems.length > 0) return Either.left(invalid("retry", retryProblems.join("; ")))
  if (!Duration.greaterThan(options.requestTimeout, Duration.zero)) {
    return Either.left(invalid("requestTimeout", "the request timeout must be longer than zero"))
  }
  return Either.right(options)
}

const settle = (options: DandiConfigOptions): Either.Either<Settings, ConfigError.ConfigError> =>
  validate({
    pageSize: options.pageSize ?? defaults.pageSize,
    pageConcurrency: options.pageConcurrency ?? defaults.pageConcurrency,
    retry: { ...defaults.retry, ...options.retry },
    requestTimeout: options.requestTimeout === undefined ? defaults.requestTimeout : Duration.decode(options.requestTimeout),
    userAgent: options.userAgent === undefined ? defaults.userAgent : options.userAgent,
    onInvalid: options.onInvalid ?? defaults.onInvalid
  })

/** Whether the user named the instance or gave a URL that no known instance has. */
const chosenAs = (requested: string | InstanceRecord, instanceHost: string | undefined): "name" | "url" =>
  typeof requested === "string" &&
    Either.getOrUndefined(DandiInstance.resolveInstance(requested, instanceHost))?._tag === "Unknown"
    ? "url"
    : "name"

const withKeyVariable = (
  instance: DandiInstance.DandiInstance,
  requested: string | InstanceRecord,
  instanceHost: string | undefined
) => ({ instance, apiKeyVariable: DandiInstance.apiKeyVariable(instance.name, chosenAs(requested, instanceHost)) })

/**
 * Builds the configuration, resolving the instance (a network call unless `discover: false`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: DandiConfigOptions = {}
): Effect.Effect<DandiConfigShape, ConfigError.ConfigError | UnknownInstanceError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const settings = yield* settle(options)
    const requested = options.instance ?? defaults.instance
    const instance = options.discover === false
      ? yield* InstanceDiscovery.resolveOffline(requested, options.instanceHost)
      : yield* InstanceDiscovery.resolve(requested, options.instanceHost)
    return { ...withKeyVariable(instance, requested, options.instanceHost), ...settings }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: DandiConfigOptions = {}
): Layer.Layer<DandiConfig, ConfigError.ConfigError | UnknownInstanceError, HttpClient.HttpClient> =>
  Layer.effect(DandiConfig, make(options))

/**
 * A fully given configuration, checked but not discovered: needs no HttpClient.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (
  options: DandiConfigOptions & { readonly instance: InstanceRecord }
): Layer.Layer<DandiConfig, ConfigError.ConfigError> =>
  Layer.effect(
    DandiConfig,
    Effect.map(settle(options), (settings) => ({
      ...withKeyVariable(InstanceDiscovery.toInstance(options.instance), options.instance, options.instanceHost),
      ...settings
    }))
  )

/**
 * The environment's settings, read through Effect `Config` (so any ConfigProvider works):
 * `DANDI_INSTANCE`, `DANDI_INSTANCEHOST`, `DANDI_PAGE_SIZE`, `DANDI_PAGE_CONCURRENCY`, `DANDI_RETRY_ATTEMPTS`,
 * `DANDI_REQUEST_TIMEOUT` (a duration such as `30 seconds`), `DANDI_USER_AGENT`.
 * Explicit `overrides` win over the environment.
 *
 * @since 0.1.0
 * @category constants
 */
export const options: Config.Config<DandiConfigOptions> = Config.all({
  instance: Config.option(Config.string("DANDI_INSTANCE")),
  instanceHost: Config.option(Config.string("DANDI_INSTANCEHOST")),
  pageSize: Config.option(Config.integer("DANDI_PAGE_SIZE")),
  pageConcurrency: Config.option(Config.integer("DANDI_PAGE_CONCURRENCY")),
  retryAttempts: Config.option(Config.integer("DANDI_RETRY_ATTEMPTS")),
  requestTimeout: Config.option(Config.duration("DANDI_REQUEST_TIMEOUT")),
  userAgent: Config.option(Config.string("DANDI_USER_AGENT"))
}).pipe(
  Config.map((read): DandiConfigOptions => ({
    instance: Option.getOrUndefined(read.instance),
    instanceHost: Option.getOrUndefined(read.instanceHost),
    pageSize: Option.getOrUndefined(read.pageSize),
    pageConcurrency: Option.getOrUndefined(read.pageConcurrency),
    retry: Option.match(read.retryAttempts, { onNone: () => ({}), onSome: (attempts) => ({ attempts }) }),
    requestTimeout: Option.getOrUndefined(read.requestTimeout),
    userAgent: Option.getOrUndefined(read.userAgent)
  }))
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: DandiConfigOptions = {}
): Layer.Layer<DandiConfig, ConfigError.ConfigError | UnknownInstanceError, HttpClient.HttpClient> =>
  Layer.effect(
    DandiConfig,
    Effect.flatMap(options, (fromEnv) => make(mergeOptions(fromEnv, overrides)))
  )

const mergeOptions = (base: DandiConfigOptions, overrides: DandiConfigOptions): DandiConfigOptions => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value
  }
  if (base.retry !== undefined && overrides.retry !== undefined) merged.retry = { ...base.retry, ...overrides.retry }
  return merged as DandiConfigOptions
}

/**
 * @since 0.1.0
 * @category re-exports
 */
export { apiKeyEnvVar, apiKeyVariable } from "./DandiInstance.js"
