/**
 * The Downloader over the in-process emulator with a fault plan, recording every request sent to
 * storage (with its Range header), so tests assert on what went over the wire.
 */
import { HttpClient } from "@effect/platform"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import * as Hasher from "@dandi-effect/core/Hasher"
import type { EmulatorContent } from "@dandi-effect/core/testing/EmulatorAdmin"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { Context, Duration, Effect, Layer, Ref } from "effect"

export interface StorageRequest {
  readonly method: string
  readonly range: string | undefined
  readonly authorization: string | undefined
}

export class StorageLog extends Context.Tag("test/StorageLog")<StorageLog, Ref.Ref<ReadonlyArray<StorageRequest>>>() {}

const recording = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const inner = yield* HttpClient.HttpClient
    const log = yield* StorageLog
    return HttpClient.tapRequest(inner, (request) =>
      request.url.startsWith(InProcessHttp.defaultStorageUrl)
        ? Ref.update(log, (sent) => [...sent, {
          method: request.method,
          range: request.headers["range"],
          authorization: request.headers["authorization"]
        }])
        : Effect.void)
  })
)

/** DandiApi + Downloader over a fresh in-process emulator with `faults`; waits of 1 ms between retries. */
export const harness = (faults: Faults.FaultPlan = { rules: [] }, retry: { attempts?: number } = {}) =>
  Downloader.layer.pipe(
    Layer.provideMerge(DandiApi.layer({
      instance: { name: "dandi", gui: null, api: InProcessHttp.defaultApiUrl },
      discover: false,
      retry: { base: Duration.millis(1), cap: Duration.millis(5), jitter: 0, ...retry }
    })),
    Layer.provideMerge(TokenStore.layerMemory),
    Layer.provideMerge(recording),
    Layer.provideMerge(Layer.effect(StorageLog, Ref.make<ReadonlyArray<StorageRequest>>([]))),
    Layer.provideMerge(InProcessHttp.layerInProcess({ faults, reportFault: () => Effect.void })),
    Layer.provideMerge(Hasher.layerPortable),
    Layer.orDie
  )

export const storageRequests = Effect.flatMap(StorageLog, Ref.get)

/** Seeds one dandiset with a blob asset and returns its download description. */
export const seedBlob = (path: string, content: EmulatorContent) =>
  Effect.gen(function*() {
    const { admin } = yield* ArchiveEmulator
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    const { identifier } = yield* admin.createDandiset({ name: "downloads", owners: ["owner"] })
    yield* admin.addBlobAsset(identifier, path, content)
    yield* admin.runBackgroundJobs
    const api = yield* DandiApi.DandiApi
    const dandiset = yield* api.getDandiset(identifier, "draft")
    const asset = yield* dandiset.getAssetByPath(path)
    const metadata = yield* asset.getRawMetadata()
    return Downloader.fromAssetData(asset, metadata)
  })
