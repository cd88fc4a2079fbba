/**
 * The facade over the in-process emulator, with every HTTP request the SDK sends recorded, so
 * tests can assert on request counts and parameters without mocking anything.
 */
import { HttpClient } from "@effect/platform"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type * as RetryPolicy from "@dandi-effect/core/RetryPolicy"
import * as Hasher from "@dandi-effect/core/Hasher"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import { Chunk, Context, Effect, Layer, Ref, Stream } from "effect"

export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly range: string | undefined
}

export class RequestLog extends Context.Tag("test/RequestLog")<RequestLog, Ref.Ref<ReadonlyArray<SentRequest>>>() {}

const recording = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const inner = yield* HttpClient.HttpClient
    const log = yield* RequestLog
    return HttpClient.tapRequest(inner, (request) =>
      Ref.update(log, (sent) => [...sent, {
        method: request.method,
        url: request.url,
        authorization: request.headers["authorization"],
        range: request.headers["range"]
      }]))
  })
)

export const apiUrl = InProcessHttp.defaultApiUrl

export interface HarnessOptions {
  readonly pageSize?: number
  readonly token?: string
  /** Failures the emulator injects (none by default). */
  readonly faults?: Faults.FaultPlan
  /** The SDK's retry settings (default: its own). */
  readonly retry?: Partial<RetryPolicy.RetryPolicy>
}

/** DandiApi (+ ApiClient, …) on a fresh emulator; ArchiveEmulator and RequestLog for the test. */
export const harness = (options: HarnessOptions = {}) =>
  DandiApi.layer({
    instance: { name: "dandi", gui: null, api: apiUrl },
    discover: false,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    // Tests create the key's user after the layer is built, so the key is not checked up front.
    ...(options.token === undefined ? {} : { token: options.token, validateToken: false }),
    ...(options.retry === undefined ? {} : { retry: options.retry })
  }).pipe(
    Layer.provideMerge(TokenStore.layerMemory),
    Layer.provideMerge(recording),
    Layer.provideMerge(Layer.effect(RequestLog, Ref.make<ReadonlyArray<SentRequest>>([]))),
    Layer.provideMerge(InProcessHttp.layerInProcess(options.faults === undefined ? {} : { faults: options.faults, reportFault: () => Effect.void })),
    Layer.provideMerge(Hasher.layerPortable),
    Layer.orDie
  )

/** The requests sent so far whose path (query excluded) ends with `suffix`. */
export const sentTo = (suffix: string) =>
  Effect.flatMap(RequestLog, (log) =>
    Effect.map(Ref.get(log), (sent) => sent.filter((r) => r.url.split("?")[0]!.endsWith(suffix))))

/** The requests sent so far to the emulator's storage origin (presigned URLs). */
export const storageRequests = Effect.flatMap(RequestLog, (log) =>
  Effect.map(Ref.get(log), (sent) => sent.filter((r) => r.url.startsWith(InProcessHttp.defaultStorageUrl))))

export const resetLog = Effect.flatMap(RequestLog, (log) => Ref.set(log, []))

export const admin = Effect.map(ArchiveEmulator, (emulator) => emulator.admin)

export const bytes = (text: string) => ({ _tag: "Bytes", bytes: new TextEncoder().encode(text) }) as const

export const seedOwner = Effect.flatMap(admin, (a) => a.addUser({ username: "owner", token: "owner-token", name: "Owner One" }))

export const seedDandiset = (name: string) =>
  Effect.gen(function*() {
    const a = yield* admin
    yield* seedOwner
    return (yield* a.createDandiset({ name, owners: ["owner"] })).identifier
  })

export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)


/** A draft with five blob assets, two of them differing only in case of the folder. */
export const seedAssets = Effect.gen(function*() {
  const id = yield* seedDandiset("Assets")
  const a = yield* admin
  for (const path of ["a.txt", "sub-1/x.nwb", "sub-1/y.nwb", "sub-10/z.nwb", "Sub-1/upper.nwb"]) {
    yield* a.addBlobAsset(id, path, bytes(`content of ${path}`))
  }
  return id
})

