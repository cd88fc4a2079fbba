/**
 * Range hashes of long byte streams (a download's dandi-etag parts and sha256) on worker
 * threads, so that the main thread goes on receiving and writing while earlier bytes are hashed.
 * Core plans which bytes go to which hash (`Hasher.RangeHasher`); a worker only creates, updates
 * and digests `node:crypto` hashes as told.
 *
 * Each fed batch (~1 MiB) is copied into buffers whose memory is transferred to the worker,
 * not cloned, and transferred back once hashed, to be filled again: the caller's chunks stay its
 * own (a file sink still holds them until it writes), the copy is the only one, and no garbage
 * buffers pile up between collections (they raised peak RSS by tens of MB). At most `maxInFlight` bytes wait for a worker; `feed`
 * waits beyond that, so a slow worker slows the download instead of filling memory. One stream
 * stays on one worker (its updates must be in order); streams spread over up to one worker per
 * CPU, started on first use. Streams shorter than one batch are hashed inline: a worker's round
 * trip would cost more than the hashing.
 *
 * The worker body is an eval'd CommonJS string for the reason HashWorkerPool gives.
 *
 * @since 0.1.0
 */
import type { HasherShape, RangeHasher, RangeHashSpec } from "@dandi-effect/core/Hasher"
import { inlineRangeHasher, rangePlanner } from "@dandi-effect/core/Hasher"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"

const workerSource = `
"use strict"
const { parentPort } = require("node:worker_threads")
const crypto = require("node:crypto")
const streams = new Map()
const digestOf = (stream, index) => {
  if (stream.digests[index] !== undefined) return
  const hash = stream.hashes[index] || crypto.createHash(stream.algorithms[index])
  stream.digests[index] = hash.digest()
  stream.hashes[index] = undefined
}
parentPort.on("message", (message) => {
  const id = message.stream
  if (message.kind === "open") {
    streams.set(id, { algorithms: message.algorithms, hashes: [], digests: [] })
    return
  }
  if (message.kind === "drop") {
    streams.delete(id)
    return
  }
  const stream = streams.get(id)
  if (stream === undefined) {
    if (message.kind === "feed") parentPort.postMessage({ stream: id, kind: "fed", bytes: 0, buffer: message.piece.buffer }, [message.piece.buffer])
    return
  }
  if (message.kind === "feed") {
    const piece = message.piece
    const updates = message.updates
    for (let i = 0; i < updates.length; i += 3) {
      const index = updates[i]
      const hash = stream.hashes[index] || (stream.hashes[index] = crypto.createHash(stream.algorithms[index]))
      hash.update(piece.subarray(updates[i + 1], updates[i + 2]))
    }
    for (const index of message.complete) digestOf(stream, index)
    // The memory goes back to be filled again: no garbage buffers pile up between collections.
    parentPort.postMessage({ stream: id, kind: "fed", bytes: piece.length, buffer: piece.buffer }, [piece.buffer])
    return
  }
  // finish: every digest, packed into one buffer (a digest Buffer may be a view of a larger pool).
  let total = 0
  for (let index = 0; index < stream.algorithms.length; index++) {
    digestOf(stream, index)
    total += stream.digests[index].length
  }
  const packed = new Uint8Array(total)
  const lengths = []
  let at = 0
  for (const digest of stream.digests) {
    packed.set(digest, at)
    at += digest.length
    lengths.push(digest.length)
  }
  streams.delete(id)
  parentPort.postMessage({ stream: id, kind: "digests", packed, lengths }, [packed.buffer])
})
`

/** Bytes a stream may have waiting for its worker before `feed` waits. */
const maxInFlight = 2 * 2 ** 20

/**
 * Size of the buffers that travel to a worker and back (a batch of about 1 MiB goes as two or
 * three); the few that are in flight at a time are reused, so hashing allocates nothing per batch.
 */
const pieceBytes = 2 ** 19
const pooledPieces = 8

/** Streams shorter than this are hashed inline. */
const inlineBelow = 2 ** 20

type Reply =
  | { readonly stream: number; readonly kind: "fed"; readonly bytes: number; readonly buffer: ArrayBuffer }
  | { readonly stream: number; readonly kind: "digests"; readonly packed: Uint8Array; readonly lengths: ReadonlyArray<number> }

interface StreamState {
  inFlight: number
  /** Resumed when `inFlight` falls to the limit, or when the worker fails. */
  waiting: ((outcome: Effect.Effect<void>) => void) | undefined
  finished: ((outcome: Effect.Effect<ReadonlyArray<Uint8Array>>) => void) | undefined
  failure: unknown
  /** `finish` was sent: the worker forgets the stream itself. */
  done: boolean
}

interface Slot {
  readonly worker: Worker
  readonly streams: Map<number, StreamState>
}

/**
 * How `make` sizes its workers.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamHashOptions {
  /** Worker threads at most; defaults to the number of CPUs the process may use. */
  readonly workers?: number
}

/**
 * A Hasher whose `create` is `base` (on the calling thread) and whose `rangeHasher` runs on
 * worker threads; the workers are terminated when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  base: HasherShape,
  options: StreamHashOptions = {}
): Effect.Effect<HasherShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const size = Math.max(1, options.workers ?? availableParallelism())
    const slots: Array<Slot> = []
    const pool: Array<ArrayBuffer> = []
    let nextId = 0
    let closed = false

    const fail = (slot: Slot, error: unknown) => {
      slots.splice(slots.indexOf(slot), 1)
      for (const state of slot.streams.values()) {
        state.failure = error
        state.waiting?.(Effect.die(error))
        state.finished?.(Effect.die(error))
        state.waiting = undefined
        state.finished = undefined
      }
      slot.streams.clear()
    }

    const spawn = (): Slot => {
      const slot: Slot = { worker: new Worker(workerSource, { eval: true }), streams: new Map() }
      slot.worker.on("message", (reply: Reply) => {
        if (reply.kind === "fed" && pool.length < pooledPieces) {
          pool.push(reply.buffer)
        }
        const state = slot.streams.get(reply.stream)
        if (state === undefined) return
        if (reply.kind === "fed") {
          state.inFlight -= reply.bytes
          if (state.inFlight <= maxInFlight && state.waiting !== undefined) {
            const resume = state.waiting
            state.waiting = undefined
            resume(Effect.void)
          }
          return
        }
        const digests: Array<Uint8Array> = []
        let at = 0
        for (const length of reply.lengths) {
          digests.push(reply.packed.subarray(at, at + length))
          at += length
        }
        const resume = state.finished
        state.finished = undefined
        resume?.(Effect.succeed(digests))
      })
      slot.worker.on("error", (error) => fail(slot, error))
      slot.worker.on("exit", (code) => {
        if (!closed && slots.includes(slot)) fail(slot, new Error(`the hashing worker exited with code ${code}`))
      })
      slots.push(slot)
      return slot
    }

    // The least busy worker, or a new one while there are fewer than `size` and all are busy.
    const pick = (): Slot => {
      const least = slots.reduce<Slot | undefined>(
        (best, slot) => best === undefined || slot.streams.size < best.streams.size ? slot : best,
        undefined
      )
      return least !== undefined && (least.streams.size === 0 || slots.length >= size) ? least : spawn()
    }

    yield* Effect.addFinalizer(() =>
      Effect.promise(() => {
        closed = true
        return Promise.all(slots.map((slot) => slot.worker.terminate()))
      })
    )

    const open = (specs: ReadonlyArray<RangeHashSpec>): Effect.Effect<RangeHasher, never, Scope.Scope> =>
      Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => {
            const slot = pick()
            const id = nextId++
            const state: StreamState = { inFlight: 0, waiting: undefined, finished: undefined, failure: undefined, done: false }
            slot.streams.set(id, state)
            slot.worker.ref()
            slot.worker.postMessage({ stream: id, kind: "open", algorithms: specs.map((spec) => spec.algorithm) })
            return { slot, id, state }
          }),
          ({ id, slot, state }) =>
            Effect.sync(() => {
              slot.streams.delete(id)
              // An idle worker must not keep the process alive.
              if (slot.streams.size === 0) slot.worker.unref()
              if (!state.done && slots.includes(slot)) slot.worker.postMessage({ stream: id, kind: "drop" })
            })
        ),
        ({ id, slot, state }): RangeHasher => {
          const plan = rangePlanner(specs)
          const broken = () => state.failure !== undefined ? Effect.die(state.failure) : undefined
          const feed = (chunks: ReadonlyArray<Uint8Array>): Effect.Effect<void> =>
            Effect.suspend(() => {
              const failed = broken()
              if (failed !== undefined) return failed
              let length = 0
              for (const chunk of chunks) length += chunk.length
              if (length === 0) return Effect.void
              // Copied into pieces of at most `pieceBytes`, each in memory of its own (not a view
              // into Buffer's shared pool) so that it can be transferred whole.
              let chunkIndex = 0
              let chunkAt = 0
              for (let left = length; left > 0;) {
                const size = Math.min(left, pieceBytes)
                const buffer = pool.pop() ?? new ArrayBuffer(pieceBytes)
                const piece = new Uint8Array(buffer, 0, size)
                for (let at = 0; at < size;) {
                  const chunk = chunks[chunkIndex]!
                  const take = Math.min(chunk.length - chunkAt, size - at)
                  piece.set(take === chunk.length ? chunk : chunk.subarray(chunkAt, chunkAt + take), at)
                  at += take
                  chunkAt += take
                  if (chunkAt === chunk.length) {
                    chunkIndex += 1
                    chunkAt = 0
                  }
                }
                const step = plan.advance(size)
                slot.worker.postMessage(
                  { stream: id, kind: "feed", piece, updates: step.updates, complete: step.complete },
                  [buffer]
                )
                left -= size
              }
              state.inFlight += length
              if (state.inFlight <= maxInFlight) return Effect.void
              return Effect.async<void>((resume) => {
                // Replies may have arrived since the message was posted.
                if (state.failure !== undefined) resume(Effect.die(state.failure))
                else if (state.inFlight <= maxInFlight) resume(Effect.void)
                else state.waiting = resume
                return Effect.sync(() => {
                  state.waiting = undefined
                })
              })
            })
          const digests = Effect.suspend(() => {
            const failed = broken()
            if (failed !== undefined) return failed
            return Effect.async<ReadonlyArray<Uint8Array>>((resume) => {
              state.finished = resume
              state.done = true
              slot.worker.postMessage({ stream: id, kind: "finish" })
              return Effect.sync(() => {
                state.finished = undefined
              })
            })
          })
          return { feed, digests }
        }
      )

    const rangeHasher = (specs: ReadonlyArray<RangeHashSpec>): Effect.Effect<RangeHasher, never, Scope.Scope> => {
      const length = specs.reduce((most, spec) => Math.max(most, spec.end), 0)
      if (length < inlineBelow) return Effect.succeed(inlineRangeHasher(base, specs))
      return open(specs)
    }
    return { create: base.create, rangeHasher }
  })
