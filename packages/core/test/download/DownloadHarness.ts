/**
 * The Downloader over the in-process emulator with a fault plan (the API harness underneath
 * records every request, with its Range header), so tests assert on what went over the wire.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as Downloader from "@dandi-effect/core/Downloader"
import type { EmulatorContent } from "@dandi-effect/core/testing/EmulatorAdmin"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import { Duration, Effect, Layer } from "effect"
import { harness as apiHarness, storageRequests } from "../support/ApiHarness.js"

/** DandiApi + Downloader over a fresh in-process emulator with `faults`; waits of 1 ms between retries. */
export const harness = (faults: Faults.FaultPlan = { rules: [] }, retry: { attempts?: number } = {}) =>
  Downloader.layer.pipe(
    Layer.provideMerge(apiHarness({ faults, retry: { base: Duration.millis(1), cap: Duration.millis(5), jitter: 0, ...retry } }))
  )

/** The requests sent so far to storage, with their Range headers. */
export { storageRequests }

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
