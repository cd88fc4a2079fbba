/**
 * @dandi-effect/node — Node.js layers for dandi-effect. `NodeDandi.layer` provides everything a
 * Node program needs; the `dandi-effect` CLI is the package's bin.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 * @category modules
 */
export * as LocalUpload from "./LocalUpload.js"
/**
 * Local Zarr directories: their files and zarr-checksum.
 *
 * @since 0.1.0
 */
export * as LocalZarr from "./LocalZarr.js"
/**
 * The archive emulator served over real loopback HTTP.
 *
 * @since 0.1.0
 */
export * as LoopbackServer from "./emulator/LoopbackServer.js"
/**
 * ByteSources over files.
 *
 * @since 0.1.0
 */
export * as NodeByteSource from "./NodeByteSource.js"
/**
 * The SDK's layers for Node.
 *
 * @since 0.1.0
 */
export * as NodeDandi from "./NodeDandi.js"
/**
 * Digests of local files and directories.
 *
 * @since 0.1.0
 */
export * as NodeDigests from "./NodeDigests.js"
/**
 * Downloads to disk: files, folders, dandisets with dandiset.yaml.
 *
 * @since 0.1.0
 */
export * as NodeDownload from "./NodeDownload.js"
/**
 * Files as resumable ByteSinks, in dandi-cli's working-area layout.
 *
 * @since 0.1.0
 */
export * as NodeFileSink from "./NodeFileSink.js"
/**
 * The Hasher over `node:crypto`.
 *
 * @since 0.1.0
 */
export * as NodeHasher from "./NodeHasher.js"
/**
 * Range hashes of long streams (download digests) on worker threads.
 *
 * @since 0.1.0
 */
export * as StreamHashWorkers from "./StreamHashWorkers.js"
/**
 * The HTTP client over undici.
 *
 * @since 0.1.0
 */
export * as NodeHttp from "./NodeHttp.js"
/**
 * Random access to remote blobs: file objects, Readables, file-handle adapters.
 *
 * @since 0.1.0
 */
export * as NodeReadable from "./NodeReadable.js"
/**
 * API keys kept in the OS keyring.
 *
 * @since 0.1.0
 */
export * as NodeTokenStore from "./NodeTokenStore.js"
/**
 * @since 0.1.0
 * @category modules
 */
export * as NodeUploadState from "./NodeUploadState.js"
/**
 * The on-disk cache of file digests.
 *
 * @since 0.1.0
 */
export * as DigestCache from "./DigestCache.js"
/**
 * dandi-etags hashed on worker threads.
 *
 * @since 0.1.0
 */
export * as ParallelEtag from "./ParallelEtag.js"
