/**
 * A fresh loopback archive per test (fault plans are fixed per server) and the Node SDK on it,
 * with every storage request recorded (method, Range), plus temporary folders.
 */
import { HttpClient } from "@effect/platform"
import * as Hasher from "@dandi-effect/core/Hasher"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeDandi from "@dandi-effect/node/NodeDandi"
import * as NodeHttp from "@dandi-effect/node/NodeHttp"
import { Clock, Context, Duration, Effect, Layer, Ref } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface StorageRequest {
  readonly method: string
  readonly range: string | undefined
  readonly authorization: string | undefined
  /** When it was sent (ms, the Effect clock). */
  readonly at: number
}

export class StorageLog extends Context.Tag("test/NodeStorageLog")<StorageLog, Ref.Ref<ReadonlyArray<StorageRequest>>>() {}

export const storageRequests = Effect.flatMap(StorageLog, Ref.get)

/** The emulator's `fault: …` lines, one per injected fault. */
export class FaultLog extends Context.Tag("test/NodeFaultLog")<FaultLog, Ref.Ref<ReadonlyArray<string>>>() {}

export const faultLines = Effect.flatMap(FaultLog, Ref.get)

const recordingHttp = (log: Ref.Ref<ReadonlyArray<StorageRequest>>) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (inner) =>
      HttpClient.tapRequest(inner, (request) =>
        new URL(request.url).pathname.startsWith("/dandiarchive/")
          ? Effect.flatMap(Clock.currentTimeMillis, (at) =>
            Ref.update(log, (sent) => [...sent, {
              method: request.method,
              range: request.headers["range"],
              authorization: request.headers["authorization"],
              at
            }]))
          : Effect.void))
  ).pipe(Layer.provide(NodeHttp.layer))

/** The loopback archive (seeded, with `faults`) and the Node SDK on it, with fast retries (and `requestTimeout`, if given). */
export const archive = (
  seed: (admin: ArchiveAdmin) => Effect.Effect<void>,
  faults: Faults.FaultPlan = { rules: [] },
  options: { readonly requestTimeout?: Duration.DurationInput } = {}
) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<StorageRequest>>([])
    const faultLog = yield* Ref.make<ReadonlyArray<string>>([])
    const server = LoopbackServer.layer({
      seed,
      faults,
      reportFault: (line) => Ref.update(faultLog, (lines) => [...lines, line])
    }).pipe(
      Layer.provide(Hasher.layerPortable)
    )
    const sdk = Layer.unwrapEffect(Effect.map(LoopbackServer.LoopbackEmulator, ({ apiUrl }) =>
      NodeDandi.layer({
        instance: apiUrl,
        discover: false,
        tokenStore: TokenStore.layerMemory,
        httpClient: recordingHttp(log),
        retry: { base: Duration.millis(1), cap: Duration.millis(5), jitter: 0 },
        ...(options.requestTimeout === undefined ? {} : { requestTimeout: options.requestTimeout })
      })))
    return Layer.mergeAll(Layer.provideMerge(sdk, server), Layer.succeed(StorageLog, log), Layer.succeed(FaultLog, faultLog))
  })).pipe(Layer.orDie)

/** A temporary folder, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "dandi-effect-download-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)
