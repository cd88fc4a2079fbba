/**
 * What a download is and reports: the blob to fetch (and how an asset's record and metadata
 * make one), what a download needs of an asset or a dandiset (structural interfaces the records
 * satisfy, so the Downloader never names a record class), its progress events and its failures.
 * A leaf: the Downloader (`Downloader.ts`, which re-exports all of it), its steps under
 * `internal/download/`, the records, folder downloads and zarr transfers all import it, so none
 * of them imports another's types.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { JsonObject } from "../../ApiRecords.js"
import type { DigestMismatch, LocalDataError, ObjectTooLargeError } from "../../DandiError.js"
import type { ApiError } from "../../HttpErrors.js"
import type { StorageFailure } from "../storageClientShape.js"

/**
 * What to download: where, how much, and what it must hash to. `digests` uses dandi-cli's names
 * (`dandi-etag`, `sha256`, `md5`); the ones present are verified.
 *
 * @since 0.1.0
 * @category models
 */
export interface BlobDownload {
  /** The API route that redirects to storage: `{api}/assets/{id}/download/`. */
  readonly downloadUrl: string
  readonly size: number
  /** For messages and progress events: usually the asset path. */
  readonly name: string
  readonly digests: Readonly<Record<string, string>>
  /** Modification time to give the result (the metadata's `blobDateModified`). */
  readonly mtime?: Date | undefined
}

/**
 * What the Downloader needs from a blob asset: where it goes (its path), its size, and the
 * download of its blob. The SDK's blob asset records satisfy it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadableBlob {
  /** `AssetType.BLOB`. */
  readonly assetType: 1
  readonly path: string
  readonly size: number
  /** The blob to fetch and the digests to verify (from the asset's metadata). */
  readonly downloadSpec: () => Effect.Effect<BlobDownload, ApiError>
}

/**
 * What a folder download needs from a zarr asset: its path, size, zarr id and the checksum the
 * result must have. The SDK's zarr asset records satisfy it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadableZarr {
  /** `AssetType.ZARR`. */
  readonly assetType: 2
  readonly path: string
  readonly size: number
  readonly zarr: string
  /** A digest from the asset's metadata (`dandi:dandi-zarr-checksum` for the zarr's checksum). */
  readonly getRawDigest: (digestType: "dandi:dandi-zarr-checksum") => Effect.Effect<string, ApiError>
}

/**
 * An asset a folder download takes: a blob or a zarr one.
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadableAsset = DownloadableBlob | DownloadableZarr

/**
 * What a dandiset download needs from a dandiset version: its id, its metadata and version (for
 * `dandiset.yaml`) and its assets in path order. `RemoteDandiset` satisfies it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadableDandiset {
  readonly identifier: string
  /** The version's raw metadata, as `dandiset.yaml` holds it. */
  readonly getRawMetadata: () => Effect.Effect<JsonObject, ApiError>
  /** The version; its `modified` becomes `dandiset.yaml`'s mtime. */
  readonly version: Effect.Effect<{ readonly modified: string }, ApiError>
  readonly getAssets: (order: "path") => Stream.Stream<DownloadableAsset, ApiError>
  readonly getAssetsWithPathPrefix: (path: string, order: "path") => Stream.Stream<DownloadableAsset, ApiError>
}

/**
 * Progress of one download (and, for folder downloads, of the files around it).
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadEvent =
  /** `resumedFrom` > 0: bytes an earlier run left were kept (`resuming big.bin from 212 MiB`). */
  | { readonly _tag: "Started"; readonly name: string; readonly size: number; readonly resumedFrom: number }
  | { readonly _tag: "Progress"; readonly name: string; readonly done: number; readonly size: number }
  | {
    readonly _tag: "Retrying"
    readonly name: string
    readonly offset: number
    readonly attempt: number
    readonly attempts: number
    readonly reason: string
  }
  /** A digest mismatch discarded the bytes; the download starts over. */
  | { readonly _tag: "Restarted"; readonly name: string; readonly reason: string }
  | {
    readonly _tag: "Completed"
    readonly name: string
    readonly size: number
    readonly resumedFrom: number
    /** The digests that were checked (empty when the metadata listed none). */
    readonly verified: ReadonlyArray<string>
  }

/**
 * @since 0.1.0
 * @category models
 */
export type Completed = Extract<DownloadEvent, { readonly _tag: "Completed" }>

/**
 * What a download can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DownloadError = ApiError | StorageFailure | DigestMismatch | LocalDataError | ObjectTooLargeError

/**
 * What reading bytes from storage can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = ApiError | StorageFailure

const metadataDigests: ReadonlyArray<readonly [string, string]> = [
  ["dandi:dandi-etag", "dandi-etag"],
  ["dandi:sha2-256", "sha256"]
]

/**
 * The download of a blob asset from its record and metadata, as dandi-cli builds it: the
 * dandi-etag and (when listed) sha256 to verify, `blobDateModified` as mtime (the asset's
 * `modified` when absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAssetData = (
  asset: { readonly baseDownloadUrl: string; readonly size: number; readonly path: string; readonly modified: string },
  metadata: JsonObject
): BlobDownload => {
  const digest = typeof metadata.digest === "object" && metadata.digest !== null
    ? metadata.digest as Readonly<Record<string, unknown>>
    : {}
  const digests: Record<string, string> = {}
  for (const [key, name] of metadataDigests) {
    const value = digest[key]
    if (typeof value === "string") digests[name] = value
  }
  const modified = typeof metadata.blobDateModified === "string" ? metadata.blobDateModified : asset.modified
  const mtime = new Date(modified)
  return {
    downloadUrl: asset.baseDownloadUrl,
    size: asset.size,
    name: asset.path,
    digests,
    ...(Number.isNaN(mtime.getTime()) ? {} : { mtime })
  }
}
