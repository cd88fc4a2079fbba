/**
 * @dandi-effect/core — the platform-free heart of dandi-effect: services composed into the
 * `DandiApi` facade, record and metadata schemas, typed errors, digests and URL parsing.
 * The archive emulator lives in `@dandi-effect/core/testing`.
 *
 * @since 0.1.0
 */
export * as ApiClient from "./ApiClient.js"
export * as ApiRecords from "./ApiRecords.js"
export * as AssetPath from "./AssetPath.js"
export * as Auth from "./Auth.js"
export * as ByteSource from "./ByteSource.js"
export * as Credentials from "./Credentials.js"
export * as DandiApi from "./DandiApi.js"
export * as DandiConfig from "./DandiConfig.js"
export * as DandiError from "./DandiError.js"
export * as DandiEtag from "./DandiEtag.js"
export * as DandiInstance from "./DandiInstance.js"
export * as DandiUrl from "./DandiUrl.js"
export * as Digest from "./Digest.js"
export * as Glob from "./Glob.js"
export * as Hasher from "./Hasher.js"
export * as HttpErrors from "./HttpErrors.js"
export * as HttpStack from "./HttpStack.js"
export * as InstanceDiscovery from "./InstanceDiscovery.js"
export * as Metadata from "./Metadata.js"
export { packageVersion } from "./PackageVersion.js"
export * as Paginator from "./Paginator.js"
export * as RemoteAsset from "./RemoteAsset.js"
export * as RemoteDandiset from "./RemoteDandiset.js"
export * as RemoteZarrEntry from "./RemoteZarrEntry.js"
export * as RetryAfter from "./RetryAfter.js"
export * as RetryPolicy from "./RetryPolicy.js"
export * as SchemaVersion from "./SchemaVersion.js"
export * as StorageClient from "./StorageClient.js"
export * as TokenStore from "./TokenStore.js"
export * as Version from "./Version.js"
export * as ZarrChecksum from "./ZarrChecksum.js"
