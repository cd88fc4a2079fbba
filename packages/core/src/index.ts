/**
 * @dandi-effect/core — the platform-free heart of dandi-effect.
 *
 * @since 0.1.0
 */
export * as ApiRecords from "./ApiRecords.js"
export * as AssetPath from "./AssetPath.js"
export * as ByteSource from "./ByteSource.js"
export * as DandiError from "./DandiError.js"
export * as DandiInstance from "./DandiInstance.js"
export * as DandiUrl from "./DandiUrl.js"
export * as Hasher from "./Hasher.js"
export * as Metadata from "./Metadata.js"
export { packageVersion } from "./PackageVersion.js"
export * as SchemaVersion from "./SchemaVersion.js"
