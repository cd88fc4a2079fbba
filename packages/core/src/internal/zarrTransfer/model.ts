/**
 * What zarr transfers take, report and return, shared by the public module and the pipelines.
 * Assets appear by what the transfers need of them (`ReplacedAsset`, `UploadedZarrAsset`), never
 * as record classes: records name the ZarrTransfers service (`rmfiles`), so it cannot name them.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { AssetRecord, JsonObject } from "../../ApiRecords.js"
import type { ByteSink } from "../../ByteSink.js"
import type {
  DigestMismatch,
  DuplicateZarrEntry,
  LocalDataError,
  ObjectTooLargeError,
  UploadRefusedError,
  ValidationTimeout
} from "../../DandiError.js"
import type { DownloadError, DownloadEvent } from "../download/model.js"
import type { ApiError } from "../../HttpErrors.js"
import type { StorageFailure } from "../storageClientShape.js"

/** A file of a local zarr: its `/`-separated path below the zarr root and its size. */
export interface LocalZarrFile {
  readonly path: string
  readonly size: number
}

/** The local zarr an upload reads. */
export interface LocalZarrSource {
  /** For messages: the directory or a name. */
  readonly name: string
  /** Every file (excluded names and empty directories already left out), in any order. */
  readonly files: Stream.Stream<LocalZarrFile, LocalDataError>
  /** Hex MD5 of each file, in the order given (platforms hash batches in parallel). */
  readonly md5: (files: ReadonlyArray<LocalZarrFile>) => Effect.Effect<ReadonlyArray<string>, LocalDataError>
  /** A file's bytes; may run again (a retried PUT reads it again). */
  readonly read: (file: LocalZarrFile) => Stream.Stream<Uint8Array, LocalDataError>
}

/** The local directory a download writes. */
export interface LocalZarrTarget {
  readonly name: string
  /** The files there now, every one (including names a zarr excludes, which are never removed). */
  readonly files: Stream.Stream<LocalZarrFile, LocalDataError>
  readonly md5: (files: ReadonlyArray<LocalZarrFile>) => Effect.Effect<ReadonlyArray<string>, LocalDataError>
  /** Where the entry at `path` is written (resumable, committed only once verified). */
  readonly sink: (path: string) => ByteSink
  /** Deletes these files and then the directories they leave empty. */
  readonly remove: (paths: ReadonlyArray<string>) => Effect.Effect<void, LocalDataError>
  /** Names left alone when extras are removed (`.git`, `.dandi`, …). */
  readonly keep?: ((path: string) => boolean) | undefined
}

export interface ZarrTuning {
  /** PUTs (or entry downloads) in flight at once (default 5 for uploads, 4 for downloads). */
  readonly jobs?: number | undefined
  /** Base of the backoff after a round of 403s: min(2^retry × base, 24 × base) + jitter ≤ base (default 5 s). */
  readonly renewBackoff?: Duration.DurationInput | undefined
  /** How often the zarr's status is polled after finalize (default 2 s). */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** How long to wait for the archive's checksum (default 1 hour). */
  readonly checksumTimeout?: Duration.DurationInput | undefined
}

/**
 * An asset a zarr upload replaces: its id, and what backs it (a zarr asset keeps its zarr). The
 * SDK's asset records satisfy it.
 */
export interface ReplacedAsset {
  readonly identifier: string
  readonly record: { readonly zarr?: string | null | undefined }
}

/**
 * The zarr asset an upload wrote, as the draft holds it afterwards: a `RemoteZarrAsset` of the
 * draft, named here by what it offers (the transfer services name no record class).
 */
export interface UploadedZarrAsset {
  readonly identifier: string
  readonly path: string
  readonly size: number
  readonly dandisetId: string
  readonly versionId: string
  readonly record: AssetRecord
  /** The metadata as stored on the archive. */
  readonly getRawMetadata: () => Effect.Effect<JsonObject, ApiError>
  /** A digest from the metadata (by default the asset's primary one, the dandi-zarr-checksum). */
  readonly getRawDigest: (digestType?: string) => Effect.Effect<string, ApiError>
}

export interface ZarrUploadOptions extends ZarrTuning {
  readonly dandisetId: string
  /** The asset path (e.g. `sub-1/sample.ome.zarr`). */
  readonly path: string
  readonly source: LocalZarrSource
  /** Asset metadata; `path`, `schemaKey` and a missing `encodingFormat` are filled in. */
  readonly metadata?: JsonObject | undefined
  /**
   * The asset (id) of the draft this zarr replaces. A zarr asset keeps its zarr, which is then
   * synchronised (only changed entries are sent); a blob asset gets a new zarr.
   */
  readonly replacing?: ReplacedAsset | undefined
}

export interface ZarrUploadResult {
  readonly asset: UploadedZarrAsset
  readonly zarrId: string
  /** The dandi-zarr-checksum both sides agree on. */
  readonly checksum: string
  readonly uploaded: number
  readonly bytesUploaded: number
  /** Entries already on the archive with the same MD5 (not sent). */
  readonly unchanged: number
  /** Remote entries deleted (conflicting and extra). */
  readonly deleted: number
  /** Whether anything changed on the archive (a finalize was sent). */
  readonly changed: boolean
}

export type ZarrUploadError =
  | ApiError
  | StorageFailure
  | LocalDataError
  | ObjectTooLargeError
  | UploadRefusedError
  | DigestMismatch
  | DuplicateZarrEntry
  | ValidationTimeout

/**
 * Progress of a zarr upload, in order: `ProducingAsset` → `Comparing` → `Deleting`
 * (conflicts)? → `Initiating` → `Uploading`* / `Renewing`* → `Deleting` (extras)? →
 * `Finalizing` → (`ChecksumMismatch` and once more from `Comparing`)? → `Done`.
 */
export type ZarrUploadEvent = Data.TaggedEnum<{
  ProducingAsset: { readonly path: string; readonly zarrId: string; readonly reused: boolean }
  /** Diffing the local files against the `remoteEntries` already on the archive. */
  Comparing: { readonly path: string; readonly remoteEntries: number }
  Deleting: {
    readonly path: string
    readonly reason: "conflicting" | "extra"
    readonly deleted: number
    readonly total: number
  }
  Initiating: {
    readonly path: string
    readonly files: number
    readonly totalBytes: number
    readonly toUpload: number
    readonly bytesToUpload: number
  }
  Uploading: {
    readonly path: string
    readonly filesDone: number
    readonly filesTotal: number
    readonly bytesDone: number
    readonly bytesTotal: number
  }
  /** Some presigned URLs were refused (403): fresh ones are asked for, with fewer PUTs at once. */
  Renewing: { readonly path: string; readonly files: number; readonly retry: number; readonly concurrency: number }
  /** The archive is computing the checksum. */
  Finalizing: { readonly path: string }
  ChecksumMismatch: { readonly path: string; readonly local: string; readonly remote: string }
  Done: { readonly path: string } & ZarrUploadResult
}>

export const ZarrUploadEvent = Data.taggedEnum<ZarrUploadEvent>()

export interface ZarrDownloadOptions {
  readonly zarrId: string
  readonly target: LocalZarrTarget
  /** The asset's `dandi:dandi-zarr-checksum`; the zarr's own checksum when absent. */
  readonly checksum?: string | undefined
  /** Entries downloaded at once (default 4, dandi-cli's). */
  readonly jobs?: number | undefined
}

export interface ZarrDownloadResult {
  readonly zarrId: string
  readonly checksum: string
  readonly entries: number
  readonly downloaded: number
  readonly bytesDownloaded: number
  /** Entries already present with the right MD5 (not fetched). */
  readonly kept: number
  /** Local files that are not entries of the zarr, removed. */
  readonly removed: number
}

export type ZarrDownloadError = DownloadError | DuplicateZarrEntry

/**
 * Progress of a zarr download: `Entry` wraps each entry's own download events (named by the
 * entry's path); `Kept` marks an entry already present; then `Removed` and `Done`.
 */
export type ZarrDownloadEvent = Data.TaggedEnum<{
  Entry: { readonly event: DownloadEvent }
  Kept: { readonly path: string; readonly size: number }
  Removed: { readonly paths: ReadonlyArray<string> }
  Done: ZarrDownloadResult
}>

export const ZarrDownloadEvent = Data.taggedEnum<ZarrDownloadEvent>()

/** One folder's immediate children inside a zarr. */
export interface ZarrFolderEntry {
  readonly _tag: "File" | "Folder"
  /** Path from the zarr root. */
  readonly path: string
  readonly name: string
  /** A file's size, or the total size of a folder's files. */
  readonly size: number
  /** Files below a folder (1 for a file). */
  readonly files: number
}
