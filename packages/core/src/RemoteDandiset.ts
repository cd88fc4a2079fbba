/**
 * A dandiset at one version, as an immutable record. It may be *loaded* (it holds the API's
 * dandiset record, as listings and `getDandiset` return it) or *lazy* (`getDandiset(id, v, {lazy:
 * true})`: only the identifier and perhaps a version id, no request made). Data accessors are
 * Effects: on a loaded record they answer from the record, on a lazy one they fetch
 * `/dandisets/{id}/` (use `load` once to get a loaded copy). Operations return Effects and
 * Streams that need no service: a record carries the backend of the client that made it (as
 * dandi-cli's records hold their `client`), so it always talks to the archive it came from.
 * The backend is not part of the record's value: it is not compared, hashed, printed or
 * serialised.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type {
  AssetPathEntry,
  DandisetRecord,
  EmbargoStatus,
  IncompleteUploadRecord,
  JsonObject,
  OwnerRecord,
  VersionRecord,
  ZarrRecord
} from "./ApiRecords.js"
import { normalizePath } from "./AssetPath.js"
import { NotFoundError, ValidationTimeout } from "./DandiError.js"
import type { ApiError } from "./HttpErrors.js"
import * as Backend from "./internal/recordBackend.js"
import type { ApiLocation, AssetOrder, RecordBackend } from "./internal/recordBackend.js"
import { pyRepr } from "./internal/text.js"
import * as Metadata from "./Metadata.js"
import type { RemoteAsset } from "./RemoteAsset.js"
import { fromCheckedRecord, metadataMisfit } from "./RemoteAsset.js"
import type { VersionInfo, VersionJson } from "./Version.js"
import { Version } from "./Version.js"

/**
 * How long to wait and how often to look, for the methods that wait on the archive.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Give up after this long (default 120 seconds, as dandi-cli). */
  readonly maxTime?: Duration.DurationInput | undefined
  /** Time between two looks (default 0.5 seconds, as dandi-cli). */
  readonly interval?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PublishOptions extends WaitOptions {
  /** Release notes stored with the published version. */
  readonly releaseNotes?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UnembargoOptions extends WaitOptions {
  /** Wait until the archive has finished unembargoing (default true). */
  readonly wait?: boolean | undefined
}

/**
 * Looks with `look` until `done` holds, every `interval`, for at most `maxTime`; the last thing
 * seen is handed to `timedOut` when time runs out. Runs on the Effect clock.
 */
const pollUntil = <A, E, R, E2>(
  look: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  options: WaitOptions | undefined,
  timedOut: (last: A | undefined) => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.gen(function*() {
    let last: A | undefined
    const watched = Effect.tap(look, (a) => Effect.sync(() => void (last = a)))
    const outcome = yield* watched.pipe(
      Effect.repeat({ schedule: Schedule.spaced(options?.interval ?? "500 millis"), until: done }),
      Effect.timeoutOption(options?.maxTime ?? "120 seconds")
    )
    // `repeat` answers with the schedule's output; the answer wanted is the last thing seen.
    if (Option.isSome(outcome)) return last as A
    return yield* Effect.fail(timedOut(last))
  })

const problemList = (info: VersionInfo): string => {
  const versionProblems = info.versionValidationErrors.map((e) => `${e.field === "" ? "(metadata)" : e.field}: ${e.message}`)
  const assetProblems = info.assetValidationErrors.map((e) =>
    `${e.path ?? "(asset)"}${e.field === "" ? "" : ` ${e.field}`}: ${e.message}`
  )
  const all = [...versionProblems, ...assetProblems]
  if (all.length === 0) return "no problems reported yet"
  return `${all.slice(0, 5).join("; ")}${all.length > 5 ? ` (and ${all.length - 5} more)` : ""}`
}

const validationTimeout = (identifier: string, versionId: string, info: VersionInfo | undefined, what: string) =>
  new ValidationTimeout({
    message: info === undefined
      ? `Dandiset ${identifier} ${what}: the archive gave no answer in time; try again later.`
      : `Dandiset ${identifier} is ${info.status} (${what}): ${problemList(info)}. Fix the metadata (setMetadata, or the assets' metadata) and wait again.`,
    dandisetId: identifier,
    status: info?.status ?? "unknown",
    versionId,
    versionValidationErrors: (info?.versionValidationErrors ?? []).map((e) => ({ field: e.field, message: e.message })),
    assetValidationErrors: (info?.assetValidationErrors ?? []).map((e) => ({
      field: e.field,
      message: e.message,
      ...(e.path === undefined ? {} : { path: e.path })
    }))
  })

/**
 * Version orderings the versions endpoint accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type VersionOrder = Backend.VersionOrder

/**
 * @since 0.1.0
 * @category models
 */
export interface DandisetJson {
  readonly identifier: string
  readonly created: string
  readonly modified: string
  readonly contact_person: string
  readonly embargo_status: EmbargoStatus
  readonly most_recent_published_version: VersionJson | null
  readonly draft_version: VersionJson | null
  readonly version: VersionJson
}

const toVersion = (record: VersionRecord | null): Version | null => record === null ? null : Version.fromRecord(record)

/**
 * The wanted version among those the dandiset record names (latest published, draft), or without
 * one the record's `defaultVersion` (dandi-cli's choice: latest published, else draft).
 */
const pickVersion = (data: DandisetRecord, wanted: Option.Option<string>): Option.Option<Version> => {
  const found = Option.match(wanted, {
    onNone: () => data.defaultVersion,
    onSome: (id) =>
      [data.most_recent_published_version, data.draft_version].find((v): v is VersionRecord => v?.version === id) ??
        null
  })
  return Option.map(Option.fromNullable(found), Version.fromRecord)
}

interface DandisetFields {
  readonly identifier: string
  /** The version asked for, when known without a request. */
  readonly versionIdHint: Option.Option<string>
  readonly data: Option.Option<DandisetRecord>
  readonly knownVersion: Option.Option<Version>
}

/**
 * @since 0.1.0
 * @category models
 */
export class RemoteDandiset extends Data.Class<DandisetFields & { readonly location: ApiLocation }> {
  /** The operations this record calls: those of the client that made it (not part of its value). */
  declare readonly backend: RecordBackend

  constructor(backend: RecordBackend, fields: DandisetFields) {
    super({ location: backend.location, ...fields })
    Backend.attach(this, backend)
  }

  /** A loaded dandiset at its default version (most recent published, else draft). */
  static fromData(backend: RecordBackend, data: DandisetRecord): RemoteDandiset {
    const version = pickVersion(data, Option.none())
    return new RemoteDandiset(backend, {
      identifier: data.identifier,
      versionIdHint: Option.map(version, (v) => v.identifier),
      data: Option.some(data),
      knownVersion: version
    })
  }

  /** A dandiset known only by id (and perhaps version id); nothing fetched yet. */
  static lazy(backend: RecordBackend, identifier: string, versionId?: string): RemoteDandiset {
    return new RemoteDandiset(backend, {
      identifier,
      versionIdHint: Option.fromNullable(versionId),
      data: Option.none(),
      knownVersion: Option.none()
    })
  }

  /** This record with some fields replaced, on the same backend. */
  private with(fields: Partial<DandisetFields>): RemoteDandiset {
    return new RemoteDandiset(this.backend, {
      identifier: this.identifier,
      versionIdHint: this.versionIdHint,
      data: this.data,
      knownVersion: this.knownVersion,
      ...fields
    })
  }

  /** `/dandisets/{id}/` */
  get apiPath(): string {
    return `/dandisets/${this.identifier}/`
  }
  get apiUrl(): string {
    return `${this.location.apiUrl}${this.apiPath}`
  }
  /** `INSTANCE:000001/draft` (without the version when it is not known yet). */
  override toString(): string {
    const prefix = `${this.location.instanceName.toUpperCase()}:${this.identifier}`
    return Option.match(this.versionIdHint, { onNone: () => prefix, onSome: (v) => `${prefix}/${v}` })
  }

  /** The API's dandiset record: the held one, or one GET of `/dandisets/{id}/`. */
  get record(): Effect.Effect<DandisetRecord, ApiError> {
    return Option.match(this.data, {
      onSome: Effect.succeed,
      onNone: () => this.backend.fetchDandiset(this.identifier, `No such Dandiset: ${this.identifier}`)
    })
  }

  /** The version id; needs the record only for a lazy dandiset opened without a version. */
  get versionId(): Effect.Effect<string, ApiError> {
    return Option.match(this.versionIdHint, {
      onSome: Effect.succeed,
      onNone: () => Effect.map(this.version, (v) => v.identifier)
    })
  }
  /** `/dandisets/{id}/versions/{version}/` */
  get versionApiPath(): Effect.Effect<string, ApiError> {
    return Effect.map(this.versionId, (v) => `/dandisets/${this.identifier}/versions/${v}/`)
  }
  get versionApiUrl(): Effect.Effect<string, ApiError> {
    return Effect.map(this.versionApiPath, (path) => `${this.location.apiUrl}${path}`)
  }

  /** The selected version (from the record when it lists it, else from `.../versions/{v}/info/`). */
  get version(): Effect.Effect<Version, ApiError> {
    if (Option.isSome(this.knownVersion)) return Effect.succeed(this.knownVersion.value)
    return Effect.gen(this, function*() {
      const data = Option.isSome(this.data) || Option.isNone(this.versionIdHint)
        ? Option.some(yield* this.record)
        : Option.none<DandisetRecord>()
      const fromData = Option.flatMap(data, (d) => pickVersion(d, this.versionIdHint))
      if (Option.isSome(fromData)) return fromData.value
      const wanted = Option.getOrElse(this.versionIdHint, () => "draft")
      return (yield* this.getVersion(wanted)).version
    })
  }

  get created(): Effect.Effect<string, ApiError> {
    return Effect.map(this.record, (d) => d.created)
  }
  get modified(): Effect.Effect<string, ApiError> {
    return Effect.map(this.record, (d) => d.modified)
  }
  get contactPerson(): Effect.Effect<string, ApiError> {
    return Effect.map(this.record, (d) => d.contact_person)
  }
  get embargoStatus(): Effect.Effect<EmbargoStatus, ApiError> {
    return Effect.map(this.record, (d) => d.embargo_status)
  }
  /** The latest published version, or null if the dandiset was never published. */
  get mostRecentPublishedVersion(): Effect.Effect<Version | null, ApiError> {
    return Effect.map(this.record, (d) => toVersion(d.most_recent_published_version))
  }
  get draftVersion(): Effect.Effect<Version | null, ApiError> {
    return Effect.map(this.record, (d) => toVersion(d.draft_version))
  }

  /** A loaded copy (record and version resolved): later accessors make no request. */
  get load(): Effect.Effect<RemoteDandiset, ApiError> {
    return Effect.gen(this, function*() {
      const data = yield* this.record
      const version = yield* this.with({ data: Option.some(data) }).version
      return this.with({
        versionIdHint: Option.some(version.identifier),
        data: Option.some(data),
        knownVersion: Option.some(version)
      })
    })
  }

  /** The same version with fresh data from the server (the version record is re-resolved). */
  refresh(): Effect.Effect<RemoteDandiset, ApiError> {
    return this.with({ data: Option.none(), knownVersion: Option.none() }).load
  }

  /** Every version of the dandiset; `order` is `created` or `-created`. */
  getVersions(order?: VersionOrder): Stream.Stream<Version, ApiError> {
    return this.backend.listVersions(this.identifier, order)
  }

  /** One version, with the validation errors the server reports for it. */
  getVersion(versionId: string): Effect.Effect<VersionInfo, ApiError> {
    return this.backend.fetchVersionInfo(this.identifier, versionId)
  }

  /** This dandiset at a version already in hand (no request). */
  atVersion(version: Version): RemoteDandiset {
    return this.with({ versionIdHint: Option.some(version.identifier), knownVersion: Option.some(version) })
  }

  /** This dandiset at another version (a version id costs one request to check it exists). */
  forVersion(version: string | Version): Effect.Effect<RemoteDandiset, ApiError> {
    return typeof version === "string"
      ? Effect.map(this.getVersion(version), (info) => this.atVersion(info.version))
      : Effect.succeed(this.atVersion(version))
  }

  /** The version's metadata as stored, untyped. */
  getRawMetadata(): Effect.Effect<JsonObject, ApiError> {
    return Effect.gen(this, function*() {
      const versionId = yield* this.versionId
      return yield* this.backend.fetchVersionMetadata(this.identifier, versionId)
    })
  }

  /** The version's metadata as the typed dandischema `Dandiset` model (drafts may not fit: see `getMetadataLenient`). */
  getMetadata(): Effect.Effect<Metadata.DandisetMetadata, ApiError> {
    return Effect.gen(this, function*() {
      const raw = yield* this.getRawMetadata()
      const result = Metadata.decodeDandisetMetadataLenient(raw)
      if (result.issues.length === 0) return result.value as Metadata.DandisetMetadata
      const url = yield* this.versionApiUrl
      return yield* metadataMisfit(String(this), url, "Dandiset", result.issues)
    })
  }

  /** The metadata fields that fit the typed model, and the list of those that do not. */
  getMetadataLenient(): Effect.Effect<Metadata.LenientResult<Metadata.DandisetMetadata>, ApiError> {
    return Effect.map(this.getRawMetadata(), Metadata.decodeDandisetMetadataLenient)
  }

  /** The dandiset's owners. */
  getOwners(): Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError> {
    return this.backend.fetchOwners(this.identifier)
  }

  private assetsWhere(query: {
    readonly order?: AssetOrder | undefined
    readonly path?: string | undefined
    readonly glob?: string | undefined
  }): Stream.Stream<RemoteAsset, ApiError> {
    return Stream.unwrap(
      Effect.map(this.versionId, (versionId) =>
        this.backend.listAssets(this.identifier, versionId, query).pipe(
          Stream.map((record) => fromCheckedRecord(this.backend, this.identifier, versionId, record))
        ))
    )
  }

  /** Every asset of the version, metadata inline. `order`: created, modified, path (`-` reverses). */
  getAssets(order?: AssetOrder): Stream.Stream<RemoteAsset, ApiError> {
    return this.assetsWhere({ order })
  }

  /** Assets whose path starts with `path` (the server compares case-insensitively). */
  getAssetsWithPathPrefix(path: string, order?: AssetOrder): Stream.Stream<RemoteAsset, ApiError> {
    return this.assetsWhere({ order, path: normalizePath(path) })
  }

  /** Assets whose whole path matches a glob where only `*` is special (it also spans `/`). */
  getAssetsByGlob(pattern: string, order?: AssetOrder): Stream.Stream<RemoteAsset, ApiError> {
    return this.assetsWhere({ order, glob: pattern })
  }

  /** The asset with this id in this version. */
  getAsset(assetId: string): Effect.Effect<RemoteAsset, ApiError> {
    return Effect.gen(this, function*() {
      const versionId = yield* this.versionId
      const record = yield* this.backend.fetchVersionAsset(
        this.identifier,
        versionId,
        assetId,
        `No such asset: ${pyRepr(assetId)} for ${String(this)}`
      )
      return fromCheckedRecord(this.backend, this.identifier, versionId, record)
    })
  }

  /** The asset at exactly this path (case-sensitive) in this version. */
  getAssetByPath(path: string): Effect.Effect<RemoteAsset, ApiError> {
    const wanted = normalizePath(path)
    return Effect.gen(this, function*() {
      const versionId = yield* this.versionId
      const matches = yield* this.assetsWhere({ path: wanted }).pipe(
        Stream.filter((asset) => asset.path === wanted),
        Stream.take(2),
        Stream.runCollect
      )
      if (matches.length === 1) return Array.from(matches)[0]!
      return yield* new NotFoundError({
        resource: "asset",
        id: path,
        message: `No asset at path ${
          pyRepr(path)
        } in version ${versionId} of Dandiset ${this.identifier}. Verify the path is correct and the asset exists in this version. Use 'dandi-effect ls' to list available assets.`
      })
    })
  }

  /**
   * One level of the folder tree under `pathPrefix` (root by default): folders with their
   * aggregate file counts and sizes, and files with their asset ids.
   */
  getFolder(pathPrefix = ""): Stream.Stream<AssetPathEntry, ApiError> {
    return Stream.unwrap(
      Effect.map(this.versionId, (versionId) => this.backend.listAssetPaths(this.identifier, versionId, pathPrefix))
    )
  }

  /** The zarr archives that belong to this dandiset (used or not by an asset). */
  getZarrs(): Stream.Stream<ZarrRecord, ApiError> {
    return this.backend.listZarrs(this.identifier)
  }

  // --- writes -------------------------------------------------------------------------------

  /** Deletes the dandiset (only possible while it has no published version). */
  delete(): Effect.Effect<void, ApiError> {
    return this.backend.deleteDandiset(this.identifier)
  }

  /**
   * Replaces the draft's metadata, untyped (the name is `metadata.name`, or ""). The draft goes
   * back to `Pending` unless nothing changed; returns the version as the archive now reports it.
   */
  setRawMetadata(metadata: JsonObject): Effect.Effect<VersionInfo, ApiError> {
    return Effect.gen(this, function*() {
      const versionId = yield* this.versionId
      const name = typeof metadata.name === "string" ? metadata.name : ""
      return yield* this.backend.updateVersionMetadata(this.identifier, versionId, name, metadata)
    })
  }

  /** Replaces the draft's metadata with a typed dandischema `Dandiset`. */
  setMetadata(metadata: Metadata.DandisetMetadata): Effect.Effect<VersionInfo, ApiError> {
    return this.setRawMetadata(Metadata.encodeDandisetMetadata(metadata) as JsonObject)
  }

  /**
   * Waits until the version is `Valid` and none of its assets has a validation error, looking
   * every `interval`. Past `maxTime` it fails with ValidationTimeout carrying the problems the
   * archive reported last (an `Invalid` draft keeps being watched until then, as in dandi-cli,
   * since a background edit may fix it).
   */
  waitUntilValid(options?: WaitOptions): Effect.Effect<VersionInfo, ApiError | ValidationTimeout> {
    return Effect.gen(this, function*() {
      const versionId = yield* this.versionId
      return yield* pollUntil(
        this.backend.fetchVersionInfo(this.identifier, versionId),
        (info) => info.status === "Valid" && info.assetValidationErrors.length === 0,
        options,
        (last) => validationTimeout(this.identifier, versionId, last, "not valid in time")
      )
    }).pipe(Effect.withSpan("RemoteDandiset.waitUntilValid", { attributes: { dandiset: this.identifier } }))
  }

  /**
   * Publishes the draft (whatever version this record points at, as dandi-cli) and waits for
   * the archive to finish; returns the dandiset at the new published version. The archive's
   * refusals arrive as typed errors: 409 while validation is pending (ConflictError), 423 while
   * already publishing (ConflictError), 400 when invalid or unchanged (RequestRejectedError).
   */
  publish(options?: PublishOptions): Effect.Effect<RemoteDandiset, ApiError | ValidationTimeout> {
    return Effect.gen(this, function*() {
      const api = this.backend
      yield* api.publishVersion(this.identifier, "draft", options?.releaseNotes)
      yield* pollUntil(
        api.fetchVersionInfo(this.identifier, "draft"),
        (info) => info.status === "Published",
        options,
        (last) => validationTimeout(this.identifier, "draft", last, "did not publish in time")
      )
      const newest = yield* api.listVersions(this.identifier, "-created").pipe(Stream.take(1), Stream.runHead)
      if (Option.isNone(newest)) {
        return yield* new NotFoundError({
          resource: "version",
          id: this.identifier,
          message: `Dandiset ${this.identifier} was published but lists no version; refresh it and look again.`
        })
      }
      return yield* this.with({ data: Option.none(), knownVersion: Option.none() }).forVersion(newest.value)
    }).pipe(Effect.withSpan("RemoteDandiset.publish", { attributes: { dandiset: this.identifier } }))
  }

  /**
   * Lifts the embargo. The archive refuses while uploads are unfinished (see `discardUploads`);
   * by default this waits until the dandiset is `OPEN` and returns it refreshed.
   */
  unembargo(options?: UnembargoOptions): Effect.Effect<RemoteDandiset, ApiError | ValidationTimeout> {
    return Effect.gen(this, function*() {
      const api = this.backend
      yield* api.unembargoDandiset(this.identifier)
      if (options?.wait === false) return yield* this.refresh()
      yield* pollUntil(
        api.fetchDandiset(this.identifier),
        (record) => record.embargo_status === "OPEN",
        options,
        (last) =>
          new ValidationTimeout({
            message: `Dandiset ${this.identifier} is still ${last?.embargo_status ?? "embargoed"}; the archive has not finished unembargoing it. Look again later.`,
            dandisetId: this.identifier,
            status: last?.embargo_status ?? "unknown"
          })
      )
      return yield* this.refresh()
    }).pipe(Effect.withSpan("RemoteDandiset.unembargo", { attributes: { dandiset: this.identifier } }))
  }

  /** Replaces the owners (GitHub logins or usernames); returns the new owners. */
  setOwners(usernames: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<OwnerRecord>, ApiError> {
    return this.backend.setOwners(this.identifier, usernames)
  }

  /** Stars the dandiset for the authenticated user; returns the star count. */
  star(): Effect.Effect<number, ApiError> {
    return this.backend.starDandiset(this.identifier, true)
  }

  /** Removes the user's star; returns the star count. */
  unstar(): Effect.Effect<number, ApiError> {
    return this.backend.starDandiset(this.identifier, false)
  }

  /** Uploads begun and never finished (owners only). */
  getUploads(): Stream.Stream<IncompleteUploadRecord, ApiError> {
    return this.backend.listUploads(this.identifier)
  }

  /** Discards every unfinished upload (the archive refuses to unembargo while there are any). */
  discardUploads(): Effect.Effect<void, ApiError> {
    return this.backend.discardUploads(this.identifier)
  }

  /** The dandiset in the API's field names, plus `version`: the selected version. */
  jsonDict(): Effect.Effect<DandisetJson, ApiError> {
    return Effect.gen(this, function*() {
      const data = yield* this.record
      const version = yield* this.version
      return {
        identifier: data.identifier,
        created: data.created,
        modified: data.modified,
        contact_person: data.contact_person,
        embargo_status: data.embargo_status,
        most_recent_published_version: toVersion(data.most_recent_published_version)?.jsonDict() ?? null,
        draft_version: toVersion(data.draft_version)?.jsonDict() ?? null,
        version: version.jsonDict()
      }
    })
  }
}
