/**
 * @dandi-effect/browser — browser layers for dandi-effect. `BrowserDandi.layer` provides fetch,
 * a WASM MD5, token storage over localStorage and the `DandiApi` facade.
 *
 * @since 0.1.0
 */
export * as BlobByteSource from "./BlobByteSource.js"
export * as BrowserDandi from "./BrowserDandi.js"
export * as BrowserHasher from "./BrowserHasher.js"
export * as BrowserTokenStore from "./BrowserTokenStore.js"
