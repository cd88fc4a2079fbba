/**
 * One blob into one ByteSink, verified: the sink says what it already holds for this content,
 * that prefix is hashed first (so a resumed download is verified over the whole file), the rest
 * is streamed from storage, written and hashed in one pass (the hashing on a worker thread where
 * the Hasher offers one), and the sink commits only when every
 * listed digest matches. On a mismatch the held bytes are dropped (no bad bytes stay), and the
 * download starts over once before it fails with DigestMismatch.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ByteSink } from "../../ByteSink.js"
import { DigestMismatch } from "../../DandiError.js"
import type { HasherShape } from "../../Hasher.js"
import type { BlobDownload, DownloadError, DownloadEvent } from "./model.js"
import type { BlobSource } from "./blobSource.js"
import * as Verifier from "./verifier.js"

export interface Options {
  /** Whole-file attempts after a digest mismatch (default 1). */
  readonly restartsAfterMismatch?: number | undefined
}

export const toSink = (
  hasher: HasherShape,
  source: BlobSource,
  blob: BlobDownload,
  sink: ByteSink,
  options: Options = {}
): Stream.Stream<DownloadEvent, DownloadError> =>
  Stream.suspend(() => {
  const name = blob.name
  const size = blob.size
  // The outcome of the latest attempt; read once that attempt's scope (handles, lock) is closed.
  let mismatch: Verifier.Mismatch | undefined
  const attemptOnce: Stream.Stream<DownloadEvent, DownloadError> = Stream.unwrapScoped(Effect.gen(function*() {
      mismatch = undefined
      const session = yield* sink.open({ size, digests: blob.digests })
      const verifier = yield* Verifier.make(hasher, size, blob.digests)
      if (session.held > size) yield* session.reset
      const start = session.held > size ? 0 : session.held
      if (start > 0) {
        yield* Stream.runForEachChunk(session.readHeld(start), (chunks) => verifier.feed(Chunk.toReadonlyArray(chunks)))
      }
      let done = start
      // One effect and one Progress event per batch the source delivers (~1 MiB), not per
      // network chunk: per-element effects were most of the CPU a download spent.
      const transfer: Stream.Stream<DownloadEvent, DownloadError> = source.events({ start }).pipe(
        Stream.mapChunksEffect((items) =>
          Effect.suspend(() => {
            const events: Array<DownloadEvent> = []
            const writes: Array<Effect.Effect<void, DownloadError>> = []
            const received: Array<Uint8Array> = []
            let pending = false
            for (const item of items) {
              if (item instanceof Uint8Array) {
                writes.push(session.write(item))
                received.push(item)
                done += item.length
                pending = true
                continue
              }
              if (pending) events.push({ _tag: "Progress", name, done, size })
              pending = false
              events.push({
                _tag: "Retrying",
                name,
                offset: item.offset,
                attempt: item.attempt,
                attempts: item.attempts,
                reason: item.reason
              })
            }
            if (pending) events.push({ _tag: "Progress", name, done, size })
            // Handed to the hashing first: on Node it runs on a worker thread while this one writes.
            return Effect.as(
              Effect.zipRight(verifier.feed(received), Effect.all(writes, { discard: true })),
              Chunk.unsafeFromArray(events)
            )
          })
        )
      )
      const finish = Stream.unwrap(Effect.gen(function*() {
        const mismatches = yield* verifier.mismatches
        if (mismatches.length > 0) {
          yield* session.reset
          mismatch = mismatches[0]!
          return Stream.empty
        }
        yield* session.commit({ mtime: blob.mtime })
        return Stream.make<[DownloadEvent]>({
          _tag: "Completed",
          name,
          size,
          resumedFrom: start,
          verified: verifier.algorithms
        })
      }))
      const started: DownloadEvent = { _tag: "Started", name, size, resumedFrom: start }
      return Stream.make(started).pipe(
        Stream.concat(transfer),
        Stream.concat(finish)
      )
    }))

  const run = (restartsLeft: number): Stream.Stream<DownloadEvent, DownloadError> =>
    Stream.concat(
      attemptOnce,
      Stream.suspend(() => {
        const found = mismatch
        if (found === undefined) return Stream.empty
        const description = `${found.algorithm}: downloaded ${found.actual} != ${found.expected}`
        if (restartsLeft > 0) {
          return Stream.concat(
            Stream.fromEffect(Effect.as(
              Effect.logWarning(`${name}: ${description}; the bytes were discarded, downloading again`),
              { _tag: "Restarted", name, reason: description } satisfies DownloadEvent as DownloadEvent
            )),
            run(restartsLeft - 1)
          )
        }
        return Stream.fail(
          new DigestMismatch({
            message: `${name} did not match its ${found.algorithm} digest (${description}); the downloaded bytes were discarded. Try again; if it keeps happening, report the asset to the archive's administrators.`,
            algorithm: found.algorithm,
            expected: found.expected,
            actual: found.actual,
            path: name
          })
        )
      })
    )
  return run(options.restartsAfterMismatch ?? 1)
})
