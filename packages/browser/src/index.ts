/**
 * @dandi-effect/browser — browser layers for dandi-effect. `BrowserDandi.layer` provides fetch,
 * a WASM MD5, token storage over localStorage and the `DandiApi` facade.
 *
 * @since 0.1.0
 */
/**
 * Verified downloads into Blobs and WritableStreams.
 *
 * @since 0.1.0
 */
export * as BlobByteSink from "./BlobByteSink.js"
/**
 * ByteSources over Blobs and Files.
 *
 * @since 0.1.0
 */
export * as BlobByteSource from "./BlobByteSource.js"
/**
 * The SDK's layers for a browser.
 *
 * @since 0.1.0
 */
export * as BrowserDandi from "./BrowserDandi.js"
/**
 * fetch as the SDK needs it in a browser.
 *
 * @since 0.1.0
 */
export * as BrowserHttp from "./BrowserHttp.js"
/**
 * The Hasher over WebAssembly.
 *
 * @since 0.1.0
 */
export * as BrowserHasher from "./BrowserHasher.js"
/**
 * API keys kept in Web Storage.
 *
 * @since 0.1.0
 */
export * as BrowserTokenStore from "./BrowserTokenStore.js"
