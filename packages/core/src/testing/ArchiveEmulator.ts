/**
 * The in-memory DANDI Archive: the API origin and the object-store origin as two request
 * handlers, plus the admin seeding interface.
 *
 * Background work (SHA-256 of new blobs, validation, publishing, unembargo, zarr ingestion) is a
 * set of state machines whose every intermediate state (`Pending`, `Validating`, `Publishing`,
 * `UNEMBARGOING`, `Uploaded`, `Ingesting`) lasts `backgroundStepMillis` on the Effect clock
 * (250 ms by default instead of the real archive's minute). A scoped fiber advances them in real
 * time, and every request first replays the steps that fell due, so what a client sees depends
 * only on the clock: tests step it with `TestClock`, or call `admin.runBackgroundJobs`.
 *
 * Layout: `Router` (Django/DRF conventions), one `*Routes` module per endpoint group,
 * `ArchiveState` (the data model), `Representations`/`Metadata` (JSON shapes and computed
 * metadata), `BackgroundJobs`, and on the store side `ObjectStore`, `Presign`, `StorageRoutes`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { Hasher } from "../Hasher.js"
import * as ArchiveAdminImpl from "./ArchiveAdminImpl.js"
import * as ArchiveState from "./ArchiveState.js"
import * as AssetRoutes from "./AssetRoutes.js"
import * as BackgroundJobs from "./BackgroundJobs.js"
import * as DandisetRoutes from "./DandisetRoutes.js"
import type { ArchiveAdmin } from "./EmulatorAdmin.js"
import type { EmulatorRequest, EmulatorResponse } from "./EmulatorHttp.js"
import * as MiscRoutes from "./MiscRoutes.js"
import * as Router from "./Router.js"
import * as StorageRoutes from "./StorageRoutes.js"
import * as UploadRoutes from "./UploadRoutes.js"
import * as VersionRoutes from "./VersionRoutes.js"
import * as ZarrRoutes from "./ZarrRoutes.js"

export interface ArchiveEmulatorOptions {
  /** e.g. "http://127.0.0.1:8123/api" — no trailing slash. */
  readonly apiUrl: string
  /** Object-store origin, e.g. "http://127.0.0.1:8124"; objects live under `/dandiarchive/`. */
  readonly storageUrl: string
  /**
   * The URL of a web app served for this archive: `/info/` advertises it (`services.webui`,
   * `instance_config.instance_url`) and computed metadata links to it. Absent, `/info/` advertises
   * no web app, as nothing serves one, and metadata links to "http://localhost:8085" (the
   * archive's dev web port) only because its schema requires a URL.
   */
  readonly webUrl?: string
  /** Default "DANDI". */
  readonly instanceName?: string
  /** Minimum time each background state is held; default 250 ms. */
  readonly backgroundStepMillis?: number
}

export interface ArchiveEmulatorShape {
  readonly options: ArchiveEmulatorOptions
  readonly handleApi: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
  readonly handleStorage: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
  readonly admin: ArchiveAdmin
}

export class ArchiveEmulator extends Context.Tag("@dandi-effect/core/testing/ArchiveEmulator")<
  ArchiveEmulator,
  ArchiveEmulatorShape
>() {}

export const BUCKET = "dandiarchive"
export const DEFAULT_STEP_MILLIS = 250

const routes: ReadonlyArray<Router.Route> = [
  ...MiscRoutes.routes,
  ...DandisetRoutes.routes,
  ...VersionRoutes.routes,
  ...AssetRoutes.routes,
  ...UploadRoutes.routes,
  ...ZarrRoutes.routes
]


export const make = (
  options: ArchiveEmulatorOptions
): Effect.Effect<ArchiveEmulatorShape, never, Hasher | Scope.Scope> =>
  Effect.gen(function*() {
    const hasher = yield* Hasher
    const env: ArchiveState.Env = {
      state: ArchiveState.make(),
      hasher,
      apiUrl: options.apiUrl.replace(/\/+$/, ""),
      storageUrl: options.storageUrl.replace(/\/+$/, ""),
      webUrl: (options.webUrl ?? "http://localhost:8085").replace(/\/+$/, ""),
      servedWebUrl: options.webUrl?.replace(/\/+$/, ""),
      instanceName: options.instanceName ?? "DANDI",
      instanceIdentifier: "RRID:SCR_017571",
      doiPrefix: "10.80507",
      bucket: BUCKET,
      stepMillis: options.backgroundStepMillis ?? DEFAULT_STEP_MILLIS,
      signingKey: ArchiveState.randomHex(40)
    }
    // Requests catch the state up with the clock before they look at it; this fiber only keeps
    // it moving while nobody asks, sleeping until the next due step or until a request wakes it.
    const wake = yield* Queue.sliding<void>(1)
    const catchUp = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        BackgroundJobs.advanceTo(env, now)
        const due = BackgroundJobs.nextDue(env)
        return due === undefined ? undefined : Math.max(1, due - now)
      }))
    const loop = Effect.flatMap(catchUp, (delay) =>
      delay === undefined ? Queue.take(wake) : Effect.race(Effect.sleep(Duration.millis(delay)), Queue.take(wake)))
    yield* Effect.forkScoped(Effect.forever(loop))
    const serve = (handle: (now: number) => EmulatorResponse) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          BackgroundJobs.advanceTo(env, now)
          return handle(now)
        })).pipe(Effect.tap(() => Queue.offer(wake, undefined)))
    const handleApi = Effect.fn("ArchiveEmulator.handleApi")(function*(request: EmulatorRequest) {
      return yield* serve((now) => Router.dispatch(env, routes, request, now))
    })
    const handleStorage = Effect.fn("ArchiveEmulator.handleStorage")(function*(request: EmulatorRequest) {
      return yield* serve((now) => StorageRoutes.handle(env, request, now))
    })
    const admin = ArchiveAdminImpl.make(env, (effect) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => BackgroundJobs.advanceTo(env, now))).pipe(
        Effect.zipRight(effect),
        Effect.tap(() => Queue.offer(wake, undefined))
      ))
    return { options, handleApi, handleStorage, admin }
  })

export const layer = (options: ArchiveEmulatorOptions): Layer.Layer<ArchiveEmulator, never, Hasher> =>
  Layer.scoped(ArchiveEmulator, make(options))
