/**
 * Where API tokens are kept between runs, keyed like dandi-cli's keyring entries
 * (spec client-behaviour.md §4.1): service `dandi-api-{instance name}`, username `key`.
 *
 * ```ts
 * interface TokenStoreShape {
 *   backend: string                                    // "memory", "keyring", "localStorage", …
 *   get(instance): Effect<Option<Redacted<string>>>
 *   set(instance, token: Redacted<string>): Effect<void>
 *   delete(instance): Effect<void>
 * }
 * TokenStore.layerMemory                               // this process only
 * ```
 *
 * The operations never fail: a store that cannot be reached is a reason to ask for the token
 * again, not to stop the program. Platform stores log a warning and fall back to memory
 * (NodeTokenStore, BrowserTokenStore). Tokens stay `Redacted` from the store to the header.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { apiKeyVariable } from "./DandiInstance.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenStoreShape {
  readonly backend: string
  readonly get: (instance: string) => Effect.Effect<Option.Option<Redacted.Redacted<string>>>
  readonly set: (instance: string, token: Redacted.Redacted<string>) => Effect.Effect<void>
  readonly delete: (instance: string) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@dandi-effect/core/TokenStore")<TokenStore, TokenStoreShape>() {}

/**
 * The keyring service name dandi-cli uses for an instance, e.g. `dandi-api-dandi-sandbox`.
 *
 * @since 0.1.0
 * @category utils
 */
export const serviceName = (instance: string): string => `dandi-api-${instance}`

/**
 * The keyring username dandi-cli uses.
 *
 * @since 0.1.0
 * @category constants
 */
export const username = "key"

/**
 * A store that lives as long as the layer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<TokenStoreShape> = Effect.map(
  Ref.make(new Map<string, Redacted.Redacted<string>>()),
  (ref): TokenStoreShape => ({
    backend: "memory",
    get: (instance) => Effect.map(Ref.get(ref), (tokens) => Option.fromNullable(tokens.get(serviceName(instance)))),
    set: (instance, token) =>
      Ref.update(ref, (tokens) => new Map(tokens).set(serviceName(instance), token)),
    delete: (instance) =>
      Ref.update(ref, (tokens) => {
        const next = new Map(tokens)
        next.delete(serviceName(instance))
        return next
      })
  })
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = Layer.effect(TokenStore, makeMemory)

/**
 * A synchronous key/value backend (an OS keyring entry API, `localStorage`, …) that may throw.
 * `read` returns undefined/null when nothing is stored.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncBackend {
  readonly name: string
  readonly read: (service: string, user: string) => string | null | undefined
  readonly write: (service: string, user: string, secret: string) => void
  readonly remove: (service: string, user: string) => void
}

const describe = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  return text.split("\n")[0] ?? text
}

/**
 * A store over `backend` that switches to memory for the rest of the process the first time the
 * backend throws, with one warning saying the token will not be remembered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithFallback = (backend: SyncBackend): Effect.Effect<TokenStoreShape> =>
  Effect.gen(function*() {
    const memory = yield* makeMemory
    const degraded = yield* Ref.make(false)

    const attempt = <A>(operation: string, instance: string, run: () => A): Effect.Effect<Option.Option<A>> =>
      Effect.flatMap(Ref.get(degraded), (isDegraded) => {
        if (isDegraded) return Effect.succeed(Option.none())
        return Effect.try({ try: run, catch: (error) => error }).pipe(
          Effect.map(Option.some),
          Effect.catchAll((error) =>
            Effect.zipRight(
              Ref.set(degraded, true),
              Effect.as(
                Effect.logWarning(
                  `The ${backend.name} is not available (${operation}: ${
                    describe(error)
                  }); API tokens are kept in memory for this run only. Set ${
                    apiKeyVariable(instance, "name")
                  } to avoid entering the key again.`
                ),
                Option.none()
              )
            )
          )
        )
      })

    return {
      backend: backend.name,
      get: (instance) =>
        Effect.flatMap(memory.get(instance), (remembered) =>
          Option.isSome(remembered)
            ? Effect.succeed(remembered)
            : Effect.map(
              attempt("read", instance, () => backend.read(serviceName(instance), username)),
              (found) =>
                Option.flatMap(found, (secret) =>
                  secret === null || secret === undefined || secret === ""
                    ? Option.none()
                    : Option.some(Redacted.make(secret)))
            )),
      set: (instance, token) =>
        Effect.zipRight(
          memory.set(instance, token),
          Effect.asVoid(attempt("write", instance, () => backend.write(serviceName(instance), username, Redacted.value(token))))
        ),
      delete: (instance) =>
        Effect.zipRight(
          memory.delete(instance),
          Effect.asVoid(attempt("delete", instance, () => backend.remove(serviceName(instance), username)))
        )
    }
  })
