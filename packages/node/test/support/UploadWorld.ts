/**
 * A loopback emulator with one owner and one dandiset, the Node SDK pointed at it, and every
 * request the emulator receives recorded (and, when a test asks, held) through its `observe`
 * hook — so upload tests assert on what actually reached the object store. The world's clock
 * can be moved ahead (`control.emulatorAheadMs`) so that presigned URLs the emulator handed out
 * expire by its own rules; the SDK's fibers inherit that clock, so a test that needs the SDK on
 * another time pins it with `Effect.withClock(clockAhead(…))`.
 */
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as NodeDandi from "@dandi-effect/node/NodeDandi"
import * as NodeHasher from "@dandi-effect/node/NodeHasher"
import * as NodeUploadState from "@dandi-effect/node/NodeUploadState"
import { Clock, Duration, Effect, Layer } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const ownerKey = "0123456789abcdef0123456789abcdef01234567"
export const dandisetId = "000001"

export interface Observed {
  readonly origin: "api" | "s3"
  readonly method: string
  readonly path: string
  readonly partNumber: number | undefined
  /** The multipart upload a storage request belongs to (its `uploadId` query parameter). */
  readonly uploadId: string | undefined
  readonly contentLength: string | undefined
  readonly authorization: string | undefined
}

export interface UploadWorld {
  /** Every request the emulator received, in arrival order. */
  readonly observed: Array<Observed>
  readonly control: {
    /** When set, runs (and may block) before the emulator handles a request. */
    hold: ((request: Observed) => Effect.Effect<void>) | undefined
    /** How far the world's clock runs ahead of the real one (0 at first). */
    emulatorAheadMs: number
  }
  readonly stateDir: string
  readonly layer: Layer.Layer<NodeDandi.Services | LoopbackServer.LoopbackEmulator>
}

/** The real clock moved ahead by `aheadMs()`; sleeping is unchanged. */
export const clockAhead = (aheadMs: () => number): Clock.Clock => {
  const real = Clock.make()
  const millis = () => real.unsafeCurrentTimeMillis() + aheadMs()
  const nanos = () => real.unsafeCurrentTimeNanos() + BigInt(aheadMs()) * 1_000_000n
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    unsafeCurrentTimeNanos: nanos,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanos: Effect.sync(nanos),
    sleep: (duration) => real.sleep(duration)
  }
}

export const makeWorld = (faults?: Faults.FaultPlan): UploadWorld => {
  const observed: Array<Observed> = []
  const control: UploadWorld["control"] = { hold: undefined, emulatorAheadMs: 0 }
  const stateDir = mkdtempSync(join(tmpdir(), "dandi-upload-state-"))
  const server = LoopbackServer.layer({
    faults,
    reportFault: () => Effect.void,
    seed: (admin) =>
      Effect.gen(function*() {
        yield* admin.addUser({ username: "owner", token: ownerKey })
        yield* admin.createDandiset({ identifier: dandisetId, name: "Uploads", owners: ["owner"] })
      }),
    observe: (origin, request) =>
      Effect.suspend(() => {
        const url = new URL(request.url)
        const partNumber = url.searchParams.get("partNumber")
        const seen: Observed = {
          origin,
          method: request.method,
          path: url.pathname,
          partNumber: partNumber === null ? undefined : Number(partNumber),
          uploadId: url.searchParams.get("uploadId") ?? undefined,
          contentLength: request.headers["content-length"],
          authorization: request.headers["authorization"]
        }
        observed.push(seen)
        return control.hold?.(seen) ?? Effect.void
      })
  }).pipe(
    Layer.provide(NodeHasher.layer),
    Layer.provide(Layer.setClock(clockAhead(() => control.emulatorAheadMs))),
    Layer.orDie
  )
  const sdk = Layer.unwrapEffect(
    Effect.map(LoopbackServer.LoopbackEmulator, ({ apiUrl }) =>
      NodeDandi.layer({
        instance: apiUrl,
        discover: false,
        token: ownerKey,
        retry: { attempts: 3, base: Duration.millis(5) },
        tokenStore: TokenStore.layerMemory,
        uploadState: NodeUploadState.layerAt(stateDir)
      }))
  ).pipe(Layer.provideMerge(server), Layer.orDie)
  return { observed, control, stateDir, layer: sdk }
}

export const MiB = 1 << 20
/** Two parts: 64 MiB and 1 MiB (the archive's part size is 64 MiB). */
export const twoPartSize = 65 * MiB

/** A file of `size` bytes whose content is unique to `tag` (so no two tests share a blob). */
export const dataFile = (tag: string, size: number): string => {
  const dir = mkdtempSync(join(tmpdir(), "dandi-upload-data-"))
  const path = join(dir, `${tag}.bin`)
  const block = new Uint8Array(MiB)
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
  const out = new Uint8Array(size)
  for (let at = 0; at < size; at += MiB) out.set(block.subarray(0, Math.min(MiB, size - at)), at)
  out.set(new TextEncoder().encode(`${tag}:${Date.now()}:${Math.random()}`).subarray(0, Math.min(64, size)))
  writeFileSync(path, out)
  return path
}

export const storagePuts = (world: UploadWorld) => world.observed.filter((o) => o.origin === "s3" && o.method === "PUT")
