/**
 * Zarr upload and incremental sync (client-behaviour §6): create or reuse the zarr and its
 * asset, diff the local files against the remote entries by MD5, delete what conflicts, send
 * what changed in batches of presigned single-part PUTs (fresh URLs on 403, with fewer PUTs at
 * once and a jittered backoff), delete the extras, finalize, wait for the archive's checksum and
 * compare it with the local one — one more pass on a mismatch.
 *
 * Memory holds one record per file (path, size, digest) and the checksum tree; file contents
 * are streamed from the source straight into the PUTs.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type { JsonObject } from "../../ApiRecords.js"
import * as AssetPath from "../../AssetPath.js"
import { DigestMismatch, ObjectTooLargeError, StorageError, UploadRefusedError } from "../../DandiError.js"
import type { HasherShape } from "../../Hasher.js"
import type { RemoteAsset } from "../../RemoteAsset.js"
import type { StorageClientShape, StorageFailure } from "../../StorageClient.js"
import * as ZarrChecksum from "../../ZarrChecksum.js"
import type { LocalZarrFile, ZarrUploadError, ZarrUploadEvent, ZarrUploadOptions, ZarrUploadResult } from "./model.js"
import { ZarrUploadEvent as Events } from "./model.js"
import * as Remote from "./remote.js"

export interface Services extends Remote.Remote {
  readonly storage: StorageClientShape
  readonly hasher: HasherShape
}

export type Report = (event: ZarrUploadEvent) => Effect.Effect<void>

/** S3's limit for a single PUT; zarr entries are never multipart (dandi-cli's S3_MAX_SINGLE_PART_UPLOAD). */
export const MAX_ENTRY_SIZE = 5 * 1024 ** 3
export const ZARR_MIME_TYPE = "application/x-zarr"
/** Rounds of fresh URLs after 403s before giving up (dandi-cli: 5 retries, 6 attempts). */
const MAX_RENEWALS = 5
/** Files hashed per call to the source (Node spreads a call over its worker pool). */
const HASH_BATCH = 256
const METADATA_NAMES: ReadonlySet<string> = new Set([".zarray", ".zattrs", ".zgroup", ".zmetadata", "zarr.json"])

const defaults = {
  jobs: 5,
  renewBackoff: Duration.seconds(5),
  pollInterval: Duration.seconds(2),
  checksumTimeout: Duration.hours(1)
}

// Core compiles without DOM/Node typings; every supported runtime has TextDecoder.
const utf8 = new (globalThis as unknown as {
  readonly TextDecoder: new(label: string, options: { readonly fatal: boolean }) => { decode(bytes: Uint8Array): string }
}).TextDecoder("utf-8", { fatal: true })

const hexToBase64 = (hex: string): string => {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return Encoding.encodeBase64(bytes)
}

/** Whether the presigned URL signs `x-amz-tagging` (embargoed dandisets): then the header must be sent. */
export const signsTagging = (url: string): boolean => {
  const match = /[?&]X-Amz-SignedHeaders=([^&#]*)/.exec(url)
  if (match === null) return false
  return decodeURIComponent(match[1]!.replace(/\+/g, " ")).toLowerCase().split(";").includes("x-amz-tagging")
}

const isForbidden = (error: StorageFailure): boolean =>
  error._tag === "PresignedUrlExpired" || (error._tag === "StorageError" && error.status === 403)

const ancestors = (path: string): Array<string> => {
  const out: Array<string> = []
  for (let slash = path.lastIndexOf("/"); slash > 0; slash = path.lastIndexOf("/", slash - 1)) {
    out.push(path.slice(0, slash))
  }
  return out
}

export const assetMetadata = (path: string, metadata: JsonObject | undefined): JsonObject => {
  const given = metadata ?? {}
  const encodingFormat = typeof given.encodingFormat === "string" && given.encodingFormat !== ""
    ? given.encodingFormat
    : ZARR_MIME_TYPE
  // The zarr checksum is the archive's to compute; a digest sent now would be stale.
  return { ...given, path, schemaKey: "Asset", encodingFormat, digest: {} }
}

interface Item {
  readonly file: LocalZarrFile
  readonly md5: string
}

interface Plan {
  readonly uploads: ReadonlyArray<Item>
  readonly tree: ZarrChecksum.Tree
  readonly extras: ReadonlyArray<string>
  readonly unchanged: number
  readonly totalBytes: number
  readonly files: number
}

const chunked = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size))
  return out
}

export const run = (
  services: Services,
  options: ZarrUploadOptions,
  report: Report
): Effect.Effect<ZarrUploadResult, ZarrUploadError> =>
  Effect.gen(function*() {
    const { source } = options
    const path = options.path
    const checked = AssetPath.checkArchivePath(path)
    if (Either.isLeft(checked)) {
      return yield* new UploadRefusedError({ message: checked.left.message, path, rule: "path-grammar" })
    }
    const jobs = Math.max(1, options.jobs ?? defaults.jobs)
    const backoffBase = Duration.toMillis(options.renewBackoff ?? defaults.renewBackoff)
    const pollInterval = options.pollInterval ?? defaults.pollInterval
    const checksumTimeout = options.checksumTimeout ?? defaults.checksumTimeout

    // --- the zarr and its asset exist before any data is sent (dandi-cli's order) ------------
    const replacing = options.replacing
    // A checked asset record has a zarr exactly when it is a zarr asset.
    const replacedZarr = replacing?.record.zarr
    const { reused, zarrId } = replacedZarr != null
      ? { reused: true, zarrId: replacedZarr }
      : yield* Effect.map(
        Remote.createOrReuse(services, options.dandisetId, path),
        ({ reused, zarr }) => ({ reused, zarrId: zarr.zarr_id })
      )
    yield* report(Events.ProducingAsset({ path, zarrId, reused }))
    let asset: RemoteAsset = yield* Remote.writeAsset(
      services,
      options.dandisetId,
      assetMetadata(path, options.metadata),
      zarrId,
      replacing?.identifier
    )

    // --- the local files: listed on each pass, each file hashed once per pass ---------------
    const listLocal = Effect.gen(function*() {
      const localFiles = Chunk.toReadonlyArray(yield* Stream.runCollect(source.files))
      for (const file of localFiles) {
        if (file.size > MAX_ENTRY_SIZE) {
          return yield* new ObjectTooLargeError({
            message: `Zarr entry ${path}/${file.path} is ${(file.size / 1024 ** 3).toFixed(2)} GiB, over the 5 GiB limit of a single S3 PUT (zarr entries cannot be multipart); rechunk the array into smaller chunks.`,
            size: file.size,
            limit: MAX_ENTRY_SIZE
          })
        }
      }
      return localFiles
    })
    const localMd5 = new Map<string, string>()
    const md5Of = (files: ReadonlyArray<LocalZarrFile>) =>
      Effect.forEach(chunked(files.filter((file) => !localMd5.has(file.path)), HASH_BATCH), (batch) =>
        Effect.map(source.md5(batch), (digests) => batch.forEach((file, i) => localMd5.set(file.path, digests[i]!))), {
        concurrency: 2,
        discard: true
      })

    const diff = (localFiles: ReadonlyArray<LocalZarrFile>) => Effect.gen(function*() {
      const totalBytes = localFiles.reduce((sum, file) => sum + file.size, 0)
      const remote = new Map<string, string>()
      yield* Stream.runForEach(Remote.entries(services, zarrId), (entry) =>
        Effect.sync(() => void remote.set(entry.Key, entry.ETag.replace(/^"|"$/g, ""))))
      yield* report(Events.Comparing({ path, remoteEntries: remote.size }))
      const remoteDirs = new Set<string>()
      for (const key of remote.keys()) for (const dir of ancestors(key)) remoteDirs.add(dir)
      const matched: Array<LocalZarrFile> = []
      const remoteEtag = new Map<string, string>()
      const fresh: Array<LocalZarrFile> = []
      const conflicts: Array<string> = []
      const shadowedDirs = new Set<string>()
      for (const file of localFiles) {
        const etag = remote.get(file.path)
        if (etag !== undefined) {
          remote.delete(file.path)
          remoteEtag.set(file.path, etag)
          matched.push(file)
          continue
        }
        // A remote file where the local side has a directory, or the reverse: the remote goes.
        const fileAbove = ancestors(file.path).find((dir) => remote.has(dir))
        if (fileAbove !== undefined) {
          remote.delete(fileAbove)
          conflicts.push(fileAbove)
        } else if (remoteDirs.has(file.path)) shadowedDirs.add(file.path)
        fresh.push(file)
      }
      if (shadowedDirs.size > 0) {
        for (const key of [...remote.keys()]) {
          if (ancestors(key).some((dir) => shadowedDirs.has(dir))) {
            remote.delete(key)
            conflicts.push(key)
          }
        }
      }
      if (conflicts.length > 0) {
        yield* report(Events.Deleting({ path, reason: "conflicting", deleted: 0, total: conflicts.length }))
        yield* Remote.deleteAll(services, zarrId, conflicts, (deleted) =>
          report(Events.Deleting({ path, reason: "conflicting", deleted, total: conflicts.length })))
      }
      yield* md5Of(matched)
      const tree = new ZarrChecksum.Tree()
      const uploads: Array<Item> = []
      let unchanged = 0
      for (const file of matched) {
        const md5 = localMd5.get(file.path)!
        if (md5 === remoteEtag.get(file.path)) {
          tree.add({ path: file.path, size: file.size, digest: md5 })
          unchanged++
        } else uploads.push({ file, md5 })
      }
      const plan: Plan & { readonly fresh: ReadonlyArray<LocalZarrFile>; readonly conflicts: number } = {
        uploads,
        fresh,
        tree,
        extras: [...remote.keys()],
        unchanged,
        totalBytes,
        files: localFiles.length,
        conflicts: conflicts.length
      }
      return plan
    })

    const contentType = (file: LocalZarrFile) => {
      const name = file.path.slice(file.path.lastIndexOf("/") + 1)
      if (!METADATA_NAMES.has(name)) return Effect.succeed(undefined)
      return source.read(file).pipe(
        Stream.runCollect,
        Effect.map((chunks) => {
          const all = new Uint8Array(file.size)
          let at = 0
          for (const chunk of chunks) {
            all.set(chunk.subarray(0, Math.max(0, all.length - at)), at)
            at += chunk.length
          }
          try {
            JSON.parse(utf8.decode(all))
            return "application/json"
          } catch {
            return undefined
          }
        })
      )
    }

    const put = (item: Item, url: string) =>
      Effect.gen(function*() {
        const type = yield* contentType(item.file)
        const headers: Record<string, string> = { "Content-MD5": hexToBase64(item.md5) }
        if (signsTagging(url)) headers["x-amz-tagging"] = "embargoed=true"
        return yield* services.storage.put(url, { stream: source.read(item.file), length: item.file.size }, {
          headers,
          contentType: type
        }).pipe(Effect.catchTag("MultipartUploadNotFound", (error) => Effect.die(error)))
      })

    const sendAll = (uploads: ReadonlyArray<Item>, bytesTotal: number) =>
      Effect.gen(function*() {
        let filesDone = 0
        let bytesDone = 0
        const batch = (items: ReadonlyArray<Item>) =>
          Effect.gen(function*() {
            let pending = items
            let concurrency = jobs
            for (let retry = 0;; retry++) {
              const urls = yield* Remote.uploadUrls(
                services,
                zarrId,
                pending.map((item) => ({ path: item.file.path, base64md5: hexToBase64(item.md5) }))
              )
              const forbidden: Array<Item> = []
              yield* Effect.forEach(pending, (item, i) =>
                put(item, urls[i]!).pipe(
                  Effect.matchEffect({
                    onFailure: (error) =>
                      error._tag !== "LocalDataError" && isForbidden(error)
                        ? Effect.sync(() => void forbidden.push(item))
                        : Effect.fail(error),
                    onSuccess: () =>
                      Effect.suspend(() => {
                        filesDone++
                        bytesDone += item.file.size
                        return report(Events.Uploading({ path, filesDone, filesTotal: uploads.length, bytesDone, bytesTotal }))
                      })
                  })
                ), { concurrency, discard: true })
              if (forbidden.length === 0) return
              if (retry + 1 > MAX_RENEWALS) {
                return yield* new StorageError({
                  message: `${path}: failed to upload ${forbidden.length} file(s) after ${MAX_RENEWALS} retries due to repeated 403 errors. The object store keeps refusing fresh URLs: check that your account may write to this dandiset and that the system clock is right, then run the upload again (what was sent is kept).`,
                  status: 403,
                  code: "RepeatedForbidden",
                  method: "PUT",
                  url: `zarr/${zarrId}/${forbidden[0]!.file.path}`
                })
              }
              concurrency = Math.max(1, Math.ceil(concurrency / 2))
              pending = forbidden
              yield* report(Events.Renewing({ path, files: forbidden.length, retry: retry + 1, concurrency }))
              const jitter = yield* Random.nextRange(0, backoffBase)
              yield* Effect.sleep(Duration.millis(Math.min(2 ** (retry + 1) * backoffBase, 24 * backoffBase) + jitter))
            }
          })
        yield* Effect.forEach(chunked(uploads, Remote.UPLOAD_BATCH), batch, { discard: true })
        return { files: filesDone, bytes: bytesDone }
      })

    let mismatch: { readonly local: string; readonly remote: string } | undefined
    let uploadedFiles = 0
    let uploadedBytes = 0
    let deletedCount = 0
    let unchangedCount = 0
    let changedAny = false
    while (true) {
      const plan = yield* diff(yield* listLocal)
      deletedCount += plan.conflicts
      // New files are hashed after the known ones, as their MD5 is not needed to decide.
      yield* md5Of(plan.fresh)
      const uploads = [...plan.uploads, ...plan.fresh.map((file) => ({ file, md5: localMd5.get(file.path)! }))]
      for (const item of uploads) plan.tree.add({ path: item.file.path, size: item.file.size, digest: item.md5 })
      const bytesToUpload = uploads.reduce((sum, item) => sum + item.file.size, 0)
      yield* report(Events.Initiating({
        path,
        files: plan.files,
        totalBytes: plan.totalBytes,
        toUpload: uploads.length,
        bytesToUpload
      }))
      const sent = yield* sendAll(uploads, bytesToUpload)
      uploadedFiles += sent.files
      uploadedBytes += sent.bytes
      unchangedCount = plan.unchanged
      if (plan.extras.length > 0) {
        const extras = plan.extras
        yield* report(Events.Deleting({ path, reason: "extra", deleted: 0, total: extras.length }))
        yield* Remote.deleteAll(services, zarrId, extras, (deleted) =>
          report(Events.Deleting({ path, reason: "extra", deleted, total: extras.length })))
        deletedCount += extras.length
      }
      const changed = uploads.length > 0 || plan.extras.length > 0 || plan.conflicts > 0
      changedAny ||= changed
      const local = ZarrChecksum.format(
        (yield* plan.tree.checksums(services.hasher)).get("")!
      )
      let zarr = yield* Remote.fetchZarr(services, zarrId)
      if (changed || zarr.status !== "Complete") {
        // An earlier interrupted run may have left the zarr Pending with everything sent.
        yield* report(Events.Finalizing({ path }))
        if (zarr.status === "Pending") yield* Remote.finalize(services, zarrId)
        zarr = yield* Remote.waitComplete(services, zarrId, pollInterval, checksumTimeout)
      }
      const remoteChecksum = zarr.checksum ?? ZarrChecksum.format(ZarrChecksum.empty)
      if (remoteChecksum === local) {
        asset = yield* Remote.fetchAsset(services, options.dandisetId, asset.identifier)
        const result: ZarrUploadResult = {
          asset,
          zarrId,
          checksum: local,
          uploaded: uploadedFiles,
          bytesUploaded: uploadedBytes,
          unchanged: unchangedCount,
          deleted: deletedCount,
          changed: changedAny
        }
        yield* report(Events.Done({ path, ...result }))
        return result
      }
      if (mismatch !== undefined) {
        return yield* new DigestMismatch({
          message: changed
            ? `${path}: after two passes the archive's zarr checksum ${remoteChecksum} still differs from the local ${local}; either a file changed while it was uploaded (stop whatever writes to the zarr and run the upload again) or the archive's storage did not keep what it acknowledged (run it again later; if it persists, report it to the archive's maintainers with this path).`
            : `${path}: the archive's zarr checksum ${remoteChecksum} differs from the local ${local} although every entry matches by MD5 (unresolvable zarr checksum mismatch); report it to the archive's administrators.`,
          algorithm: "dandi:dandi-zarr-checksum",
          expected: local,
          actual: remoteChecksum,
          path
        })
      }
      mismatch = { local, remote: remoteChecksum }
      yield* report(Events.ChecksumMismatch({ path, local, remote: remoteChecksum }))
      // Files may have changed on disk: hash them again on the next pass.
      localMd5.clear()
    }
  }).pipe(Effect.withSpan("ZarrTransfers.upload", { attributes: { path: options.path, dandiset: options.dandisetId } }))
