/**
 * A TokenStore for browsers over `localStorage`, keyed `dandi-api-{instance}/key` like the
 * keyring entries of dandi-cli. Where storage is unavailable (private modes, sandboxed frames,
 * workers) it falls back to memory with a logged warning.
 *
 * localStorage is readable by any script of the page's origin: applications that cannot trust
 * every script they load should use `TokenStore.layerMemory` and ask for the key each session.
 *
 * @since 0.1.0
 */
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import * as Layer from "effect/Layer"

const keyOf = (service: string, user: string) => `${service}/${user}`

/**
 * A SyncBackend over a Web Storage object (`localStorage` by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const storageBackend = (storage: () => Storage = () => globalThis.localStorage): TokenStoreModule.SyncBackend => ({
  name: "browser localStorage",
  read: (service, user) => storage().getItem(keyOf(service, user)),
  write: (service, user, secret) => storage().setItem(keyOf(service, user), secret),
  remove: (service, user) => storage().removeItem(keyOf(service, user))
})

/**
 * A TokenStore over `storage` (localStorage by default), falling back to memory where it is unavailable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (storage?: () => Storage) => TokenStoreModule.makeWithFallback(storageBackend(storage))

/**
 * localStorage, falling back to memory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TokenStore> = Layer.effect(TokenStore, make())

/**
 * Any Web Storage (e.g. `sessionStorage`), with the same fallback.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (storage: () => Storage): Layer.Layer<TokenStore> => Layer.effect(TokenStore, make(storage))
