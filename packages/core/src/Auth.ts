/**
 * Authentication against the archive (spec client-behaviour.md §4.1).
 *
 * ```ts
 * interface AuthShape {
 *   apiKeyEnvVar: string                                   // DandiConfig's apiKeyVariable, e.g. DANDI_SANDBOX_API_KEY
 *   authenticate(token, { save? }?): Effect<void, ApiError>
 *   dandiAuthenticate({ required? }?): Effect<boolean, ApiError>
 *   logout({ forget? }?): Effect<void>
 *   current: Effect<Option<Redacted<string>>>
 * }
 * Auth.layer   // Layer<Auth, never, ApiClient | Credentials | TokenStore | DandiConfig>
 * ```
 *
 * - `authenticate` checks the key with GET `/auth/token/` before adopting it, so a wrong key is
 *   reported at once rather than on some later request; `save: true` then stores it in the
 *   TokenStore. The adopted key lives in `Credentials`, which ApiClient reads on every request.
 * - `dandiAuthenticate` looks for a key as dandi-cli does: the instance's own variable
 *   (DandiConfig's `apiKeyVariable`, read through Effect `Config`: `{NAME}_API_KEY`, or
 *   `DANDI_API_KEY` for an instance chosen by URL), then the instance's TokenStore entry. No other
 *   variable is read, so one archive's key never goes to another. It never prompts (that is the
 *   CLI's business). With `required: false` a missing key leaves the client anonymous and
 *   returns false.
 * - Errors never contain the key; they say where the key came from and what to do.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ApiClient } from "./ApiClient.js"
import { Credentials, toRedacted } from "./Credentials.js"
import { DandiConfig } from "./DandiConfig.js"
import { AuthenticationError, PermissionError } from "./DandiError.js"
import * as DandiInstance from "./DandiInstance.js"
import type { ApiError } from "./HttpErrors.js"
import { TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface AuthenticateOptions {
  /** Store the key in the TokenStore once the server accepted it. */
  readonly save?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AuthShape {
  /** The variable `dandiAuthenticate` reads, e.g. `DANDI_API_KEY`, `DANDI_SANDBOX_API_KEY`. */
  readonly apiKeyEnvVar: string
  /**
   * Checks `token` with the server (GET `/auth/token/`) and, once accepted, sends it with every
   * later API request; `save: true` then keeps it in the TokenStore. A rejected key fails with
   * AuthenticationError (or PermissionError for an unapproved account) and is not adopted.
   */
  readonly authenticate: (
    token: string | Redacted.Redacted<string>,
    options?: AuthenticateOptions
  ) => Effect.Effect<void, ApiError>
  /**
   * Finds a key as dandi-cli does — `{NAME}_API_KEY` (through Effect Config), then the TokenStore —
   * and authenticates with it. Returns whether a key was adopted; without one it fails unless
   * `required: false`. Never prompts.
   */
  readonly dandiAuthenticate: (options?: { readonly required?: boolean | undefined }) => Effect.Effect<boolean, ApiError>
  readonly logout: (options?: { readonly forget?: boolean | undefined }) => Effect.Effect<void>
  readonly current: Effect.Effect<Option.Option<Redacted.Redacted<string>>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Auth extends Context.Tag("@dandi-effect/core/Auth")<Auth, AuthShape>() {}

/** Where a key came from, for messages that tell the user which key to fix. */
type KeySource = "argument" | "store" | { readonly variable: string }

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<AuthShape, never, ApiClient | Credentials | TokenStore | DandiConfig> = Effect.gen(
  function*() {
    const api = yield* ApiClient
    const credentials = yield* Credentials
    const store = yield* TokenStore
    const config = yield* DandiConfig
    const instance = config.instance
    const envVar = config.apiKeyVariable
    // Only a known instance's web app is named: a URL the server reports in its /info/ may not
    // be served at all (the emulator reports one), and the API URL has no user menu.
    const keyPage = DandiInstance.instanceFromUrl(instance.api)?.gui ?? null
    const onAccount = keyPage === null
      ? "that archive (its web site: your user menu → API key)"
      : `${keyPage} (your user menu → API key)`

    const sourceText = (source: KeySource): string =>
      typeof source === "object"
        ? `the ${source.variable} environment variable`
        : source === "store"
        ? `the key saved in the ${store.backend}`
        : "the key given"

    const validate = (token: Redacted.Redacted<string>, source: KeySource) =>
      api.json(Schema.Unknown, "GET", "/auth/token/", { token }).pipe(
        Effect.asVoid,
        Effect.mapError((error): ApiError =>
          error._tag === "AuthenticationError"
            ? new AuthenticationError({
              message: `${instance.name} rejected ${sourceText(source)}. Check that it is the API key of your account on ${onAccount}, or generate a new one there.`,
              url: error.url ?? api.url("/auth/token/")
            })
            : error._tag === "PermissionError"
            ? new PermissionError({
              message: `${instance.name} knows ${sourceText(source)}, but the account is not approved (or was rejected). Wait for the archive's administrators to approve it, or check your account on ${keyPage ?? "the archive's web site"}.`,
              method: error.method,
              url: error.url,
              detail: error.detail
            })
            : error
        )
      )

    const adopt = Effect.fn("Auth.authenticate")(function*(
      token: Redacted.Redacted<string>,
      source: KeySource,
      save: boolean
    ) {
      yield* Effect.annotateCurrentSpan({
        "dandi.instance": instance.name,
        "dandi.key_source": typeof source === "object" ? source.variable : source
      })
      yield* validate(token, source)
      if (save) yield* store.set(instance.name, token)
      yield* credentials.set(Option.some(token))
    })

    const authenticate = (token: string | Redacted.Redacted<string>, options?: AuthenticateOptions) =>
      adopt(toRedacted(token), "argument", options?.save === true)

    const fromEnvironment = Config.option(Config.redacted(envVar)).pipe(
      Effect.map(Option.filter((token) => Redacted.value(token).trim().length > 0)),
      Effect.map(Option.map((token) => ({ token, source: { variable: envVar } as KeySource }))),
      Effect.orElseSucceed(() => Option.none<{ readonly token: Redacted.Redacted<string>; readonly source: KeySource }>())
    )

    const dandiAuthenticate = Effect.fn("Auth.dandiAuthenticate")(function*(
      options?: { readonly required?: boolean | undefined }
    ) {
      const fromEnv = yield* fromEnvironment
      if (Option.isSome(fromEnv)) {
        yield* adopt(fromEnv.value.token, fromEnv.value.source, false)
        return true
      }
      const saved = yield* store.get(instance.name)
      if (Option.isSome(saved)) {
        yield* adopt(saved.value, "store", false)
        return true
      }
      if (options?.required === false) return false
      return yield* new AuthenticationError({
        message: `No API key for ${instance.name}. Set ${envVar}, or authenticate once with the key of your account on ${onAccount} and save it.`
      })
    })

    const logout = (options?: { readonly forget?: boolean | undefined }) =>
      Effect.zipRight(
        credentials.set(Option.none()),
        options?.forget === true ? store.delete(instance.name) : Effect.void
      )

    return Auth.of({ apiKeyEnvVar: envVar, authenticate, dandiAuthenticate, logout, current: credentials.get })
  }
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Auth, never, ApiClient | Credentials | TokenStore | DandiConfig> = Layer.effect(
  Auth,
  make
)
