/**
 * Direct access to the emulator's state, for seeding and for tests. Seeded data bypasses the
 * server's validation on purpose (paths are stored as given) so clients can be tested against
 * hostile listings.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"

/** The bytes of a blob or zarr entry. `Generated` content is produced on demand, never stored. */
export type EmulatorContent =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Generated"; readonly size: number; readonly seed: number }

export interface EmulatorUser {
  readonly username: string
  /** API key; 40 lower-case hex in the real archive, any string here. */
  readonly token?: string | undefined
  readonly approved?: boolean | undefined
  readonly admin?: boolean | undefined
  readonly name?: string | undefined
  readonly email?: string | undefined
}

export interface SeedDandisetOptions {
  /** Six digits; the next free number when absent. */
  readonly identifier?: string | undefined
  readonly name: string
  readonly owners: ReadonlyArray<string>
  readonly embargoed?: boolean | undefined
  /** Merged over a generated, publishable metadata document. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

export interface ArchiveAdmin {
  readonly addUser: (user: EmulatorUser) => Effect.Effect<void>
  readonly createDandiset: (options: SeedDandisetOptions) => Effect.Effect<{ readonly identifier: string }>
  /** Adds a blob asset to the draft, with correct digests (etag now, sha256 computed at once). */
  readonly addBlobAsset: (
    identifier: string,
    path: string,
    content: EmulatorContent,
    metadata?: Readonly<Record<string, unknown>>
  ) => Effect.Effect<{ readonly assetId: string; readonly blobId: string }>
  /** Adds a zarr asset whose entries are already ingested (status Complete, checksum computed). */
  readonly addZarrAsset: (
    identifier: string,
    path: string,
    entries: Readonly<Record<string, EmulatorContent>>
  ) => Effect.Effect<{ readonly assetId: string; readonly zarrId: string }>
  /**
   * Adds a metadata-only asset from a record exactly as the API lists it with `metadata=1`
   * (`asset_id`, `blob`/`zarr`, `path`, `size`, `created`, `modified`, `metadata`): listable and
   * describable, not downloadable.
   */
  readonly addRecordAsset: (identifier: string, record: Readonly<Record<string, unknown>>) => Effect.Effect<{
    readonly assetId: string
  }>
  /** Publishes the draft at once (no background states), returning the new version id. */
  readonly publish: (identifier: string) => Effect.Effect<{ readonly version: string }>
  /** Runs every due and pending background job (sha256, validation, publish, ingest) to completion. */
  readonly runBackgroundJobs: Effect.Effect<void>
}
