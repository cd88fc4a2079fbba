/**
 * @dandi-effect/core — the platform-free heart of dandi-effect: services composed into the
 * `DandiApi` facade, record and metadata schemas, typed errors, digests and URL parsing.
 * The archive emulator lives in `@dandi-effect/core/testing`.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 * @category modules
 */
export * as ApiClient from "./ApiClient.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as ApiRecords from "./ApiRecords.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as AssetPath from "./AssetPath.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Auth from "./Auth.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as ByteSink from "./ByteSink.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as ByteSource from "./ByteSource.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Credentials from "./Credentials.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiApi from "./DandiApi.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiConfig from "./DandiConfig.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiError from "./DandiError.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiEtag from "./DandiEtag.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiInstance from "./DandiInstance.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DandiUrl from "./DandiUrl.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Digest from "./Digest.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Downloader from "./Downloader.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as DownloadFolder from "./DownloadFolder.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Glob from "./Glob.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Hasher from "./Hasher.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as HttpErrors from "./HttpErrors.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as HttpStack from "./HttpStack.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as InstanceDiscovery from "./InstanceDiscovery.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Metadata from "./Metadata.js"
/**
 * @since 0.1.0
 * @category re-exports
 */
export { packageVersion } from "./PackageVersion.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Paginator from "./Paginator.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RangedReader from "./RangedReader.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RemoteAsset from "./RemoteAsset.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RemoteDandiset from "./RemoteDandiset.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RemoteZarrEntry from "./RemoteZarrEntry.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as FetchRefusal from "./FetchRefusal.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RetryAfter from "./RetryAfter.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as RetryPolicy from "./RetryPolicy.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as SchemaVersion from "./SchemaVersion.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as StorageClient from "./StorageClient.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as TokenStore from "./TokenStore.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Uploader from "./Uploader.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as UploadState from "./UploadState.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as Version from "./Version.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as ZarrChecksum from "./ZarrChecksum.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as ZarrTransfers from "./ZarrTransfers.js"
