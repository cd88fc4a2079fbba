/**
 * The whole HTTP stack in one layer: DandiConfig → Credentials → ApiClient (+ StorageClient for
 * presigned URLs) → Paginator → Auth.
 * Platforms add an HttpClient and a TokenStore (NodeHttp + NodeTokenStore, fetch +
 * BrowserTokenStore, or the in-process emulator + TokenStore.layerMemory in tests).
 *
 * ```ts
 * HttpStack.layer({ instance: "dandi-sandbox" }).pipe(Layer.provide([NodeHttp.layer, NodeTokenStore.layer]))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as ApiClient from "./ApiClient.js"
import * as Auth from "./Auth.js"
import * as Credentials from "./Credentials.js"
import * as DandiConfig from "./DandiConfig.js"
import type { UnknownInstanceError } from "./DandiError.js"
import * as Paginator from "./Paginator.js"
import * as StorageClient from "./StorageClient.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Services =
  | DandiConfig.DandiConfig
  | Credentials.Credentials
  | ApiClient.ApiClient
  | StorageClient.StorageClient
  | Paginator.Paginator
  | Auth.Auth

/**
 * Builds the stack on a configuration layer (static, from options, or from Config).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfig = <E, R>(
  config: Layer.Layer<DandiConfig.DandiConfig, E, R>
): Layer.Layer<Services, E, R | HttpClient.HttpClient | TokenStore> => {
  const base = Layer.merge(config, Credentials.layer())
  const api = Layer.merge(ApiClient.layer, StorageClient.layer).pipe(Layer.provideMerge(base))
  return Layer.mergeAll(Paginator.layer, Auth.layer).pipe(Layer.provideMerge(api))
}

/**
 * From options (instance discovery included unless `discover: false`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: DandiConfig.DandiConfigOptions = {}
): Layer.Layer<Services, ConfigError.ConfigError | UnknownInstanceError, HttpClient.HttpClient | TokenStore> =>
  fromConfig(DandiConfig.layer(options))

/**
 * From `DANDI_*` settings read through Effect Config, `overrides` winning.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: DandiConfig.DandiConfigOptions = {}
): Layer.Layer<Services, ConfigError.ConfigError | UnknownInstanceError, HttpClient.HttpClient | TokenStore> =>
  fromConfig(DandiConfig.layerConfig(overrides))
