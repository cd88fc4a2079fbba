/**
 * The OS keyring as the TokenStore (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux) through `@napi-rs/keyring`, under the same service/username as dandi-cli
 * (`dandi-api-{instance}` / `key`), so a key saved by either tool serves both.
 *
 * Headless machines often have no keyring (there the library throws "Couldn't access platform
 * storage"); the store then logs one warning and keeps tokens in memory for the run.
 *
 * @since 0.1.0
 */
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import { Entry } from "@napi-rs/keyring"
import * as Layer from "effect/Layer"

/**
 * The OS keyring through `@napi-rs/keyring`'s synchronous `Entry`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyringBackend: TokenStoreModule.SyncBackend = {
  name: "OS keyring",
  read: (service, user) => new Entry(service, user).getPassword(),
  write: (service, user, secret) => new Entry(service, user).setPassword(secret),
  remove: (service, user) => {
    new Entry(service, user).deletePassword()
  }
}

/**
 * A TokenStore over `backend` (the OS keyring by default), falling back to memory where it is unavailable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (backend: TokenStoreModule.SyncBackend = keyringBackend) => TokenStoreModule.makeWithFallback(backend)

/**
 * The keyring, with the in-memory fallback.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TokenStore> = Layer.effect(TokenStore, make())

/**
 * Any synchronous backend (for tests, or a custom secret store), with the same fallback.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (backend: TokenStoreModule.SyncBackend): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, make(backend))
