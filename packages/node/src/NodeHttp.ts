/**
 * The HttpClient for Node: undici. It keeps a real `Content-Length` on streamed bodies (S3
 * rejects chunked part uploads, which fetch would send) and never follows redirects on its own,
 * so ApiClient alone decides which hop may carry the API token (effect-style.md A5: fetch would
 * follow by itself, and `HttpClient.followRedirects` re-sends Authorization to other origins).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Layer from "effect/Layer"

/**
 * The HTTP client over undici.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
