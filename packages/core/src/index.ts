/**
 * @dandi-effect/core — the platform-free heart of dandi-effect.
 *
 * @since 0.1.0
 */
export * as ByteSource from "./ByteSource.js"
export * as DandiError from "./DandiError.js"
export * as Hasher from "./Hasher.js"
export { packageVersion } from "./PackageVersion.js"
