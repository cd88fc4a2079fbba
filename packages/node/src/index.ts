/**
 * @dandi-effect/node — Node.js layers for dandi-effect. `NodeDandi.layer` provides everything a
 * Node program needs; the `dandi-effect` CLI is the package's bin.
 *
 * @since 0.1.0
 */
export * as LocalUpload from "./LocalUpload.js"
export * as LocalZarr from "./LocalZarr.js"
export * as LoopbackServer from "./emulator/LoopbackServer.js"
export * as NodeByteSource from "./NodeByteSource.js"
export * as NodeDandi from "./NodeDandi.js"
export * as NodeDigests from "./NodeDigests.js"
export * as NodeHasher from "./NodeHasher.js"
export * as NodeHttp from "./NodeHttp.js"
export * as NodeTokenStore from "./NodeTokenStore.js"
export * as NodeUploadState from "./NodeUploadState.js"
export * as DigestCache from "./DigestCache.js"
export * as ParallelEtag from "./ParallelEtag.js"
