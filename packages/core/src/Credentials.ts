/**
 * The API token currently in use, held in a `Ref` so that `Auth` can change it and every later
 * request of `ApiClient` picks it up. The token is `Redacted`: printing, logging or serialising
 * the service never shows it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

/**
 * @since 0.1.0
 * @category models
 */
export interface CredentialsShape {
  readonly get: Effect.Effect<Option.Option<Redacted.Redacted<string>>>
  readonly set: (token: Option.Option<Redacted.Redacted<string>>) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Credentials extends Context.Tag("@dandi-effect/core/Credentials")<Credentials, CredentialsShape>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (initial?: Redacted.Redacted<string>): Effect.Effect<CredentialsShape> =>
  Effect.map(Ref.make(Option.fromNullable(initial)), (ref) => ({
    get: Ref.get(ref),
    set: (token) => Ref.set(ref, token)
  }))

/**
 * Starts anonymous (or with `initial`); `Auth` fills it in.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (initial?: Redacted.Redacted<string>): Layer.Layer<Credentials> =>
  Layer.effect(Credentials, make(initial))

/**
 * Accepts a raw string or an already redacted token.
 *
 * @since 0.1.0
 * @category utils
 */
export const toRedacted = (token: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(token) ? token : Redacted.make(token)
