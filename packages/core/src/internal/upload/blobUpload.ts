/**
 * The blob upload pipeline (spec client-behaviour §5.1, server-contract §3.5 / §4.1), step by
 * step: refuse what the archive would refuse → dandi-etag → initialize (409: reuse the blob, send
 * nothing) → part PUTs with bounded concurrency, each part's ETag checked against the MD5 of the
 * bytes sent → complete (the store's final ETag checked against the dandi-etag) → validate →
 * create or replace the asset. Every step reports an UploadEvent.
 *
 * Resumability: with a source identity, the upload id, part URLs and confirmed parts are saved
 * after each step; a later run of the same data finds them and sends only what is missing, or
 * starts over when the URLs expired.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { ApiClientShape } from "../../ApiClient.js"
import {
  AssetRecord,
  AssetWriteRequest,
  BlobRecord,
  CompletedPart,
  DigestBody,
  type JsonObject,
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadInitRequest,
  UploadInitResponse
} from "../../ApiRecords.js"
import * as AssetPath from "../../AssetPath.js"
import type { ByteSource } from "../../ByteSource.js"
import type { RecordBackend } from "../recordBackend.js"
import { DigestMismatch, LocalDataError, ResponseDecodeError, UploadRefusedError } from "../../DandiError.js"
import * as DandiEtag from "../../DandiEtag.js"
import type { HasherShape } from "../../Hasher.js"
import { Hasher, toHex } from "../../Hasher.js"
import * as HttpErrors from "../../HttpErrors.js"
import * as RemoteAssets from "../../RemoteAsset.js"
import type { RemoteAsset } from "../../RemoteAsset.js"
import * as UploadState from "../../UploadState.js"
import * as EncodingFormat from "./encodingFormat.js"
import type { BlobUploadOptions, UploadError, UploadEvent, UploadResult } from "./model.js"
import { UploadEvent as Events } from "./model.js"
import type { StorageClientShape } from "../../StorageClient.js"

export interface Services {
  readonly api: ApiClientShape
  readonly storage: StorageClientShape
  readonly hasher: HasherShape
  readonly states: UploadState.UploadStateStoreShape
  /** What the asset records the upload answers with carry. */
  readonly backend: RecordBackend
}

export type Report = (event: UploadEvent) => Effect.Effect<void>

/** Default number of parts in flight per file (dandi-cli's default). */
export const DEFAULT_PART_CONCURRENCY = 5

/** URLs that expire within this margin are treated as expired: a part may take that long. */
const EXPIRY_MARGIN_MS = 10 * 60 * 1000

const refused = (path: string, rule: UploadRefusedError["rule"], message: string) =>
  new UploadRefusedError({ message, path, rule })

/** What the archive (or this SDK, for zarr) would refuse, checked before any byte is read. */
export const preflight = (path: string, size: number): Either.Either<string, UploadRefusedError> => {
  const checked = AssetPath.checkArchivePath(path)
  if (Either.isLeft(checked)) return Either.left(refused(path, "path-grammar", checked.left.message))
  const segments = path.split("/")
  if (segments.some((segment) => /\.(zarr|ngff)$/i.test(segment))) {
    return Either.left(
      refused(
        path,
        "zarr",
        `${path} is (inside) a Zarr archive (.zarr/.ngff), which is not a blob; upload the whole zarr directory with the ZarrTransfers service (ZarrTransfers.upload), or with \`dandi-effect upload\`, which sends *.zarr directories as zarr assets.`
      )
    )
  }
  if (segments.some((segment) => segment.includes(".dandidownload"))) {
    return Either.left(
      refused(
        path,
        "partial-download",
        `${path} is an unfinished download (.dandidownload); finish or delete the download before uploading.`
      )
    )
  }
  if (size === 0) {
    return Either.left(
      refused(path, "empty-file", `${path} is empty; the archive does not accept empty files, so remove it or add content.`)
    )
  }
  return Either.right(path)
}

/** The asset metadata to send: the caller's, plus `path`, `schemaKey` and an `encodingFormat`. */
export const assetMetadata = (path: string, metadata: JsonObject | undefined): JsonObject => {
  const given = metadata ?? {}
  const encodingFormat = typeof given.encodingFormat === "string" && given.encodingFormat !== ""
    ? given.encodingFormat
    : EncodingFormat.fromPath(path)
  return { ...given, path, schemaKey: "Asset", encodingFormat }
}

const declaredEtag = (metadata: JsonObject | undefined): string | undefined => {
  const digest = metadata?.digest
  if (typeof digest !== "object" || digest === null) return undefined
  const value = (digest as Record<string, unknown>)["dandi:dandi-etag"]
  return typeof value === "string" ? value : undefined
}

const sizeChanged = (source: ByteSource, now: number) =>
  refused(
    source.name,
    "size-changed",
    `${source.name} was ${source.size} bytes when the upload started and is ${now} bytes now; it is being written to, so upload it once it is complete.`
  )

const checkSize = (source: ByteSource) =>
  source.currentSize === undefined
    ? Effect.void
    : Effect.flatMap(source.currentSize, (now) => now === source.size ? Effect.void : Effect.fail(sizeChanged(source, now)))

const decode = <A, I>(schema: Schema.Schema<A, I>, method: string, url: string, status: number, body: unknown) =>
  Schema.decodeUnknown(schema)(body).pipe(
    Effect.mapError((error) =>
      HttpErrors.decodeFailure({
        method,
        url,
        status,
        body: JSON.stringify(body) ?? "",
        problem: ParseResult.TreeFormatter.formatErrorSync(error)
      })
    )
  )

/** `X-Amz-Date` + `X-Amz-Expires` of a presigned URL, in epoch ms; undefined when unsigned that way. */
export const expiresAt = (url: string): number | undefined => {
  const query = url.split("?")[1] ?? ""
  const params = new Map(
    query.split("&").filter((pair) => pair.includes("=")).map((pair) => {
      const at = pair.indexOf("=")
      return [decodeURIComponent(pair.slice(0, at)).toLowerCase(), decodeURIComponent(pair.slice(at + 1))] as const
    })
  )
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get("x-amz-date") ?? "")
  const seconds = Number(params.get("x-amz-expires"))
  if (date === null || !Number.isFinite(seconds)) return undefined
  const [, y, mo, d, h, mi, s] = date.map(Number) as [number, number, number, number, number, number, number]
  return Date.UTC(y, mo - 1, d, h, mi, s) + seconds * 1000
}

/** A saved state that fits this upload and whose URLs stay valid for a while. */
const usableState = (
  state: UploadState.ResumableUpload,
  plan: DandiEtag.PartPlan,
  dandisetId: string,
  etag: string,
  now: number
): boolean => {
  if (state.dandisetId !== dandisetId || state.etag !== etag || state.size !== plan.size) return false
  if (state.parts.length !== plan.partCount) return false
  if (state.parts.some((part) => part.size !== plan.partSize(part.partNumber))) return false
  if (state.phase === "completed") return true
  const confirmed = new Set(state.confirmed.map((part) => part.partNumber))
  return state.parts.every((part) => {
    if (confirmed.has(part.partNumber)) return true
    const expiry = expiresAt(part.uploadUrl)
    return expiry === undefined || expiry - EXPIRY_MARGIN_MS > now
  })
}

/** The body of one part: the source's bytes, counted and hashed as they go out. */
const partBody = (
  source: ByteSource,
  part: DandiEtag.Part,
  md5: { update: (chunk: Uint8Array) => void },
  onBytes: (sentInPart: number) => Effect.Effect<void>
): Stream.Stream<Uint8Array, LocalDataError> => {
  let sent = 0
  const end = Stream.suspend(() =>
    sent === part.size ? Stream.empty : Stream.fail(
      new LocalDataError({
        message: `${source.name} ended after ${part.offset + sent} of the ${source.size} bytes it had when the upload started; it changed while being uploaded, so upload it again once it is complete.`,
        path: source.name
      })
    )
  )
  return source.slice(part.offset, part.size).pipe(
    Stream.mapEffect((chunk) => {
      sent += chunk.length
      if (sent > part.size) {
        return Effect.fail(
          new LocalDataError({
            message: `${source.name} gave more bytes than planned for part ${part.number}; it changed while being uploaded.`,
            path: source.name
          })
        )
      }
      md5.update(chunk)
      return Effect.as(onBytes(sent), chunk)
    }),
    Stream.concat(end)
  )
}

/** Stands in for the MD5 of a part whose digest is already known. */
const noHash = { update: (_chunk: Uint8Array) => undefined, digest: () => new Uint8Array(0) }

/** Every part's MD5 (hex), when the source's part digests were computed. */
const sourceDigests = (
  services: Services,
  options: BlobUploadOptions,
  plan: DandiEtag.PartPlan
): Effect.Effect<{ readonly etag: string; readonly parts: ReadonlyMap<number, string> }, UploadError> => {
  if (options.digests !== undefined) {
    return Effect.map(options.digests, (d) => ({ etag: d.etag, parts: partMap(d.parts) }))
  }
  if (options.etag !== undefined) return Effect.map(options.etag, (etag) => ({ etag, parts: new Map() }))
  return Effect.gen(function*() {
    const parts = yield* Effect.forEach(plan.parts(), (part) => DandiEtag.partOfSource(options.source, part), {
      concurrency: 2
    }).pipe(Effect.provideService(Hasher, services.hasher))
    const etag = yield* DandiEtag.fromPartDigests(plan.partCount, parts).pipe(Effect.provideService(Hasher, services.hasher))
    return { etag, parts: partMap(parts) }
  })
}

const partMap = (parts: ReadonlyArray<DandiEtag.PartDigest>): ReadonlyMap<number, string> =>
  new Map(parts.map((part) => [part.partNumber, part.md5Hex]))

interface Progress {
  readonly confirmedBytes: number
  readonly inFlight: ReadonlyMap<number, number>
}

/** Sends the missing parts; returns every confirmed part (including those confirmed before). */
const sendParts = (
  services: Services,
  options: BlobUploadOptions,
  report: Report,
  plan: DandiEtag.PartPlan,
  state: UploadState.ResumableUpload,
  save: (state: UploadState.ResumableUpload) => Effect.Effect<void>,
  knownMd5: ReadonlyMap<number, string>
) =>
  Effect.gen(function*() {
    const { source } = options
    const current = yield* SynchronizedRef.make(state)
    const alreadyConfirmed = new Set(state.confirmed.map((part) => part.partNumber))
    const progress = yield* SynchronizedRef.make<Progress>({
      confirmedBytes: state.confirmed.reduce((sum, part) => sum + part.size, 0),
      inFlight: new Map()
    })
    const bytesDone = (p: Progress) => p.confirmedBytes + [...p.inFlight.values()].reduce((a, b) => a + b, 0)
    const setInFlight = (partNumber: number, sent: number) =>
      SynchronizedRef.updateAndGet(progress, (p) => ({
        ...p,
        inFlight: new Map(p.inFlight).set(partNumber, sent)
      })).pipe(
        Effect.flatMap((p) => report(Events.Progress({ path: options.path, bytesDone: bytesDone(p), totalBytes: plan.size })))
      )

    /** The part as a stream of the source's bytes, hashed as they go out unless its MD5 is known. */
    const sendStreamed = (planned: UploadState.PlannedPart, part: DandiEtag.Part, known: string | undefined) =>
      Effect.gen(function*() {
        let md5 = known === undefined ? services.hasher.create("md5") : noHash
        const { etag } = yield* services.storage.put(planned.uploadUrl, {
          // Run once per attempt, each with a fresh digest: a retried part is hashed from its first byte again.
          stream: Stream.suspend(() => {
            if (known === undefined) md5 = services.hasher.create("md5")
            return partBody(source, part, md5, (sent) => setInFlight(part.number, sent))
          }),
          length: part.size
        })
        return { etag, sent: known ?? toHex(md5.digest()) }
      })

    /**
     * The part as the platform's own body (a Blob slice): the bytes go from the source to the
     * socket without passing through the SDK, so the part is hashed first when its MD5 is not
     * known, and its progress counts once it is stored.
     */
    const sendPlatformBody = (
      platformBody: (offset: number, length: number) => unknown,
      planned: UploadState.PlannedPart,
      part: DandiEtag.Part,
      known: string | undefined
    ) =>
      Effect.gen(function*() {
        const sent = known ??
          (yield* DandiEtag.partOfSource(source, part).pipe(Effect.provideService(Hasher, services.hasher))).md5Hex
        const { etag } = yield* services.storage.put(planned.uploadUrl, {
          platformBody: platformBody(part.offset, part.size),
          length: part.size
        })
        yield* setInFlight(part.number, part.size)
        return { etag, sent }
      })

    const sendOne = (planned: UploadState.PlannedPart) =>
      Effect.gen(function*() {
        const part = plan.part(planned.partNumber)
        // With the part's MD5 from hashing, nothing is hashed again on the way out; otherwise the
        // bytes are hashed as they are sent.
        const known = knownMd5.get(part.number)
        const { etag, sent } = source.platformBody === undefined
          ? yield* sendStreamed(planned, part, known)
          : yield* sendPlatformBody(source.platformBody, planned, part, known)
        if (etag !== sent) {
          return yield* new DigestMismatch({
            message: `The object store stored part ${part.number} of ${source.name} with ETag ${etag}, but the bytes ${
              known === undefined ? "sent" : "hashed"
            } have MD5 ${sent}; the data was damaged on the way, or the file changed since it was hashed. Nothing was created; upload the file again.`,
            algorithm: "md5",
            expected: sent,
            actual: etag,
            path: source.name
          })
        }
        const confirmed = new UploadState.ConfirmedPart({ partNumber: part.number, size: part.size, etag })
        // Saved before the part counts as done, so a process killed right after still knows it.
        yield* SynchronizedRef.updateAndGetEffect(current, (s) => {
          const next = new UploadState.ResumableUpload({ ...s, confirmed: [...s.confirmed, confirmed] })
          return Effect.as(save(next), next)
        })
        const p = yield* SynchronizedRef.updateAndGet(progress, (p) => {
          const inFlight = new Map(p.inFlight)
          inFlight.delete(part.number)
          return { confirmedBytes: p.confirmedBytes + part.size, inFlight }
        })
        yield* report(Events.PartUploaded({
          path: options.path,
          partNumber: part.number,
          partCount: plan.partCount,
          bytesDone: bytesDone(p),
          totalBytes: plan.size
        }))
      })

    const missing = state.parts.filter((part) => !alreadyConfirmed.has(part.partNumber))
    yield* Effect.forEach(missing, sendOne, {
      concurrency: Math.max(1, options.partConcurrency ?? DEFAULT_PART_CONCURRENCY),
      discard: true
    })
    return { state: yield* SynchronizedRef.get(current), sent: missing.length }
  })

type Initialized =
  | { readonly _tag: "Deduplicated"; readonly blobId: string }
  | { readonly _tag: "Started"; readonly state: UploadState.ResumableUpload }

const initialize = (services: Services, options: BlobUploadOptions, plan: DandiEtag.PartPlan, etag: string) =>
  Effect.gen(function*() {
    const body = new UploadInitRequest({
      contentSize: plan.size,
      digest: new DigestBody({ algorithm: "dandi:dandi-etag", value: etag }),
      dandiset: options.dandisetId
    })
    const response = yield* services.api.send("POST", "/uploads/initialize/", {
      body: Schema.encodeSync(UploadInitRequest)(body),
      allowStatuses: [409]
    })
    const url = services.api.url("/uploads/initialize/")
    if (response.status === 409) {
      const location = response.headers["location"]
      yield* Effect.ignore(response.text)
      if (location === undefined || location === "") {
        return yield* HttpErrors.decodeFailure({
          method: "POST",
          url,
          status: 409,
          body: "",
          problem: "a 409 (blob already stored) without the blob id in its Location header"
        })
      }
      // The Location header holds the bare blob id, not a URL (spec §3.5).
      return { _tag: "Deduplicated", blobId: location.split("/").filter((s) => s !== "").pop()! } as Initialized
    }
    const json = yield* response.json.pipe(
      Effect.mapError(() =>
        HttpErrors.decodeFailure({ method: "POST", url, status: response.status, body: "", problem: "not JSON" })
      )
    )
    const init = yield* decode(UploadInitResponse, "POST", url, response.status, json)
    if (init.parts.length !== plan.partCount) {
      return yield* new ResponseDecodeError({
        message: `The archive planned ${init.parts.length} parts for ${options.source.name} and this client ${plan.partCount}; they must agree. Report this to the SDK's maintainers.`,
        method: "POST",
        url,
        status: response.status,
        excerpt: HttpErrors.excerpt(JSON.stringify(json))
      })
    }
    for (const part of init.parts) {
      if (part.size !== plan.partSize(part.part_number)) {
        return yield* new ResponseDecodeError({
          message: `The archive sized part ${part.part_number} of ${options.source.name} at ${part.size} bytes and this client at ${
            plan.partSize(part.part_number)
          }; they must agree. Report this to the SDK's maintainers.`,
          method: "POST",
          url,
          status: response.status,
          excerpt: HttpErrors.excerpt(JSON.stringify(json))
        })
      }
    }
    const state = new UploadState.ResumableUpload({
      dandisetId: options.dandisetId,
      etag,
      size: plan.size,
      uploadId: init.upload_id,
      parts: init.parts.map((part) =>
        new UploadState.PlannedPart({ partNumber: part.part_number, size: part.size, uploadUrl: part.upload_url })
      ),
      confirmed: [],
      phase: "parts"
    })
    return { _tag: "Started", state } as Initialized
  })

/** complete → the store's CompleteMultipartUpload (final ETag checked). */
const complete = (services: Services, options: BlobUploadOptions, state: UploadState.ResumableUpload) =>
  Effect.gen(function*() {
    const parts = [...state.confirmed].sort((a, b) => a.partNumber - b.partNumber).map((part) =>
      new CompletedPart({ part_number: part.partNumber, size: part.size, etag: part.etag })
    )
    const completion = yield* services.api.json(UploadCompleteResponse, "POST", `/uploads/${state.uploadId}/complete/`, {
      body: Schema.encodeSync(UploadCompleteRequest)(new UploadCompleteRequest({ parts }))
    })
    const { etag: finalEtag } = yield* services.storage.postXml(completion.complete_url, completion.body)
    if (finalEtag !== undefined && finalEtag !== state.etag) {
      return yield* new DigestMismatch({
        message: `The object store assembled ${options.source.name} with ETag ${finalEtag}, but its dandi-etag was ${state.etag} when hashed; the file changed while it was uploaded. Nothing was created; upload it again.`,
        algorithm: "dandi-etag",
        expected: state.etag,
        actual: finalEtag,
        path: options.source.name
      })
    }
  })

/** validate → the blob id (a blob that appeared meanwhile is found through its digest). */
const validate = (services: Services, state: UploadState.ResumableUpload) =>
  Effect.gen(function*() {
    const path = `/uploads/${state.uploadId}/validate/`
    const response = yield* services.api.send("POST", path, { allowStatuses: [409] })
    if (response.status === 409) {
      yield* Effect.ignore(response.text)
      const blob = yield* services.api.json(BlobRecord, "POST", "/blobs/digest/", {
        body: { algorithm: "dandi:dandi-etag", value: state.etag }
      })
      return blob.blob_id
    }
    const url = services.api.url(path)
    const json = yield* response.json.pipe(
      Effect.mapError(() =>
        HttpErrors.decodeFailure({ method: "POST", url, status: response.status, body: "", problem: "not JSON" })
      )
    )
    return (yield* decode(BlobRecord, "POST", url, response.status, json)).blob_id
  })

const produceAsset = (services: Services, options: BlobUploadOptions, metadata: JsonObject, blobId: string) =>
  Effect.gen(function*() {
    const body = Schema.encodeSync(AssetWriteRequest)(new AssetWriteRequest({ metadata, blob_id: blobId }))
    const base = `/dandisets/${options.dandisetId}/versions/draft/assets/`
    const record = options.replacing === undefined
      ? yield* services.api.json(AssetRecord, "POST", base, { body })
      : yield* services.api.json(AssetRecord, "PUT", `${base}${options.replacing}/`, { body })
    return yield* Either.mapLeft(
      RemoteAssets.fromRecord(services.backend, options.dandisetId, "draft", record),
      (reason) =>
        new ResponseDecodeError({
          message: `${reason} (after uploading ${options.path})`,
          method: options.replacing === undefined ? "POST" : "PUT",
          url: services.api.url(base),
          status: 200,
          excerpt: HttpErrors.excerpt(JSON.stringify(Schema.encodeSync(AssetRecord)(record)))
        })
    )
  })

/** The whole pipeline for one source; `report` receives every event, in order. */
export const run = (
  services: Services,
  options: BlobUploadOptions,
  report: Report
): Effect.Effect<UploadResult, UploadError> =>
  Effect.gen(function*() {
    const { source } = options
    const path = yield* preflight(options.path, source.size)
    const plan = yield* DandiEtag.plan(source.size)
    yield* checkSize(source)
    const metadata = assetMetadata(path, options.metadata)

    yield* report(Events.Hashing({ path, size: source.size }))
    const { etag, parts: knownMd5 } = yield* sourceDigests(services, options, plan)
    yield* report(Events.Hashed({ path, etag }))
    const declared = declaredEtag(options.metadata)
    if (declared !== undefined && declared !== etag) {
      return yield* new DigestMismatch({
        message: `${source.name}: its dandi-etag is ${etag} now but the metadata says ${declared}; the file changed since its metadata was made, so regenerate the metadata.`,
        algorithm: "dandi-etag",
        expected: declared,
        actual: etag,
        path: source.name
      })
    }

    const key = source.identity === undefined
      ? undefined
      : UploadState.keyOf(source.identity, options.dandisetId, etag)
    const save = (state: UploadState.ResumableUpload) => key === undefined ? Effect.void : services.states.save(key, state)
    const forget = key === undefined ? Effect.void : services.states.remove(key)

    const finish = (blobId: string, deduplicated: boolean, resumed: boolean, partsSent: number) =>
      Effect.gen(function*() {
        yield* report(Events.Finalizing({ path, step: "asset" }))
        const asset: RemoteAsset = yield* produceAsset(services, options, metadata, blobId)
        const result: UploadResult = { asset, blobId, etag, deduplicated, resumed, partsSent }
        yield* report(Events.Done({ path, ...result }))
        return result
      })

    // One attempt from a given state; a resumed attempt whose URLs turn out dead starts over.
    const attempt = (
      state: UploadState.ResumableUpload,
      resumed: boolean
    ): Effect.Effect<UploadResult, UploadError> =>
      Effect.gen(function*() {
        const alreadyConfirmed = state.phase === "completed" ? state.parts.length : state.confirmed.length
        yield* report(Events.Initiated({
          path,
          uploadId: state.uploadId,
          partCount: plan.partCount,
          partsToSend: plan.partCount - alreadyConfirmed,
          resumed
        }))
        let partsSent = 0
        let current = state
        if (state.phase === "parts") {
          const sent = yield* sendParts(services, options, report, plan, state, save, knownMd5)
          partsSent = sent.sent
          yield* checkSize(source)
          yield* report(Events.Finalizing({ path, step: "complete" }))
          yield* complete(services, options, sent.state).pipe(Effect.tapError((error) =>
            error._tag === "DigestMismatch" ? forget : Effect.void
          ))
          current = new UploadState.ResumableUpload({ ...sent.state, phase: "completed" })
          yield* save(current)
        }
        yield* report(Events.Finalizing({ path, step: "validate" }))
        const blobId = yield* validate(services, current)
        yield* forget
        return yield* finish(blobId, false, resumed, partsSent)
      }).pipe(
        Effect.catchTags({
          PresignedUrlExpired: (error) => restart(error, resumed),
          MultipartUploadNotFound: (error) => restart(error, resumed)
        })
      )

    // A resumed upload whose URLs (or multipart upload) are gone starts over; a fresh one fails.
    const restart = <E extends UploadError>(error: E, resumed: boolean): Effect.Effect<UploadResult, UploadError> =>
      resumed
        ? Effect.logInfo(`The saved upload of ${source.name} can no longer be resumed (${error.message}); starting over`).pipe(
          Effect.zipRight(forget),
          Effect.zipRight(Effect.suspend(() => fresh))
        )
        : Effect.zipRight(forget, Effect.fail(error))

    const fresh: Effect.Effect<UploadResult, UploadError> = Effect.gen(function*() {
      const initialized = yield* initialize(services, options, plan, etag)
      if (initialized._tag === "Deduplicated") {
        yield* report(Events.Deduplicated({ path, blobId: initialized.blobId }))
        return yield* finish(initialized.blobId, true, false, 0)
      }
      yield* save(initialized.state)
      return yield* attempt(initialized.state, false)
    })

    const saved = key === undefined ? Option.none() : yield* services.states.load(key)
    const now = yield* Clock.currentTimeMillis
    if (Option.isSome(saved) && usableState(saved.value, plan, options.dandisetId, etag, now)) {
      return yield* attempt(saved.value, true)
    }
    if (Option.isSome(saved)) yield* forget
    return yield* fresh
  }).pipe(Effect.withSpan("Uploader.uploadBlob", { attributes: { path: options.path, dandiset: options.dandisetId } }))
