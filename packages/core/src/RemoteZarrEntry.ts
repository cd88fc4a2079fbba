/**
 * One file inside a Zarr asset, as the archive's `/zarr/{id}/files/` listing reports it.
 * Directories are not entries (the listing is S3-style: keys only). Path helpers follow
 * Python's `PurePosixPath` rules, and `match` is a right-anchored, case-sensitive fnmatch over
 * path segments, as in dandi-cli.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { InvalidPatternError } from "./DandiError.js"
import type * as DownloadModel from "./internal/download/model.js"
import * as Downloader from "./internal/download/tag.js"
import { fnmatch } from "./internal/glob.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export { InvalidPatternError } from "./DandiError.js"


/**
 * The wire form of one listing item.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ZarrEntryWire = Schema.Struct({
  Key: Schema.String,
  LastModified: Schema.String,
  ETag: Schema.String,
  Size: Schema.Number
})
/**
 * @since 0.1.0
 * @category models
 */
export type ZarrEntryWire = typeof ZarrEntryWire.Type

/**
 * @since 0.1.0
 * @category models
 */
export interface ZarrEntryDigest {
  readonly algorithm: "dandi:md5"
  readonly value: string
}

/**
 * @since 0.1.0
 * @category models
 */
export class RemoteZarrEntry extends Data.Class<{
  /** API base URL without a trailing slash; needed for `downloadUrl`. */
  readonly apiUrl: string
  readonly zarrId: string
  /** The key split on `/`. */
  readonly parts: ReadonlyArray<string>
  /** `LastModified` exactly as the server sent it (space-separated, `+00:00`). */
  readonly modified: string
  readonly size: number
  /** The object's ETag: the md5 of its bytes for single-part uploads. */
  readonly etag: string
}> {
  static fromWire(apiUrl: string, zarrId: string, wire: ZarrEntryWire): RemoteZarrEntry {
    return new RemoteZarrEntry({
      apiUrl,
      zarrId,
      parts: wire.Key.split("/"),
      modified: wire.LastModified,
      size: wire.Size,
      etag: wire.ETag.replace(/^"|"$/g, "")
    })
  }

  /** The key relative to the zarr root. */
  get path(): string {
    return this.parts.join("/")
  }
  override toString(): string {
    return this.path
  }
  get modifiedAt(): Date {
    return new Date(this.modified.replace(" ", "T"))
  }
  get digest(): ZarrEntryDigest {
    return { algorithm: "dandi:md5", value: this.etag }
  }
  get name(): string {
    return this.parts[this.parts.length - 1] ?? ""
  }
  /** The final extension (`.gz` of `a.tar.gz`); none for dotfiles or a trailing dot. */
  get suffix(): string {
    const name = this.name
    const i = name.lastIndexOf(".")
    return i > 0 && i < name.length - 1 ? name.slice(i) : ""
  }
  get suffixes(): ReadonlyArray<string> {
    const name = this.name
    if (name.endsWith(".")) return []
    return name.replace(/^\.+/, "").split(".").slice(1).map((piece) => `.${piece}`)
  }
  get stem(): string {
    const suffix = this.suffix
    return suffix === "" ? this.name : this.name.slice(0, -suffix.length)
  }
  /** `{api}/zarr/{id}/files/?prefix=<key>&download=true`; the server redirects to the object. */
  get downloadUrl(): string {
    return `${this.apiUrl}/zarr/${this.zarrId}/files/?prefix=${encodeURIComponent(this.path)}&download=true`
  }
  /**
   * The entry's bytes `[start, end)` straight from storage (dandi-cli's `get_download_file_iter`
   * with a start offset), resumed from the last byte received when a connection breaks. To
   * download verified, use `ZarrTransfers.downloadZarr` or `Downloader.toSink` with `{ md5: etag }`.
   */
  download(
    options: { readonly start?: number | undefined; readonly end?: number | undefined } = {}
  ): Stream.Stream<Uint8Array, DownloadModel.ReadError, Downloader.Downloader> {
    return Stream.unwrap(Effect.map(Downloader.Downloader, (downloader) =>
      downloader.bytes({ downloadUrl: this.downloadUrl, size: this.size, name: this.path }, options)))
  }
  /** The entry in the listing's own field names. */
  jsonDict(): ZarrEntryWire {
    return { Key: this.path, LastModified: this.modified, ETag: this.etag, Size: this.size }
  }

  /**
   * Whether the path matches a relative glob, compared segment by segment from the right
   * (`*.zarray` matches any `.zarray`; `0/*` only entries directly under a `0` directory).
   */
  match(pattern: string): Either.Either<boolean, InvalidPatternError> {
    if (pattern.startsWith("/")) {
      return Either.left(
        new InvalidPatternError({
          pattern,
          message: `Absolute paths not allowed: ${JSON.stringify(pattern)}; give a pattern relative to the zarr root`
        })
      )
    }
    const pieces = pattern.split("/").filter((piece) => piece !== "")
    if (pieces.length === 0) {
      return Either.left(
        new InvalidPatternError({ pattern, message: "Empty pattern; give at least one path segment to match" })
      )
    }
    if (pieces.length > this.parts.length) return Either.right(false)
    const offset = this.parts.length - pieces.length
    return Either.right(pieces.every((piece, i) => fnmatch(piece)(this.parts[offset + i]!)))
  }
}

