/**
 * Cheap handling of long response bodies. A platform's body stream delivers one small chunk
 * (~64 KiB on Node) per pull, and every stream stage costs a channel step per pull: a GiB is
 * 16,000 pulls through a dozen stages. `batched` gathers network chunks into Chunks of about
 * `minBytes` (no copy: the same Uint8Arrays, grouped), so the stages after it run once per
 * batch. `Stream.timeoutFail` forks a timer race on every pull (the costliest stage by far in a
 * profile); `idleTimeout` instead counts activity for free and races a watchdog once per batch,
 * failing only when nothing at all arrived for a whole `duration`, so a slow link that is still
 * delivering never times out while a batch fills, and a link that stops keeps what it sent.
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** Bytes gathered per batch. */
export const defaultBatchBytes = 1024 * 1024

/**
 * What a batch has gathered so far. Shared with `idleTimeout`, which hands it on when the body
 * stalls: the pull that was filling the batch is interrupted then, and these bytes arrived.
 */
export interface Gathered {
  chunks: Array<Uint8Array>
  bytes: number
}

export const gathered = (): Gathered => ({ chunks: [], bytes: 0 })

/** Takes what was gathered (empty afterwards). */
export const takeGathered = (held: Gathered): Chunk.Chunk<Uint8Array> => {
  const chunks = held.chunks
  held.chunks = []
  held.bytes = 0
  return Chunk.unsafeFromArray(chunks)
}

/**
 * Groups the stream's Uint8Arrays into Chunks of at least `minBytes` (the last one smaller).
 * What was gathered is emitted before a failure, so bytes received before a broken connection
 * are never lost; `held` is where the batch being filled is kept.
 */
export const batched = <E, R>(
  self: Stream.Stream<Uint8Array, E, R>,
  minBytes: number = defaultBatchBytes,
  held: Gathered = gathered()
) => {
  const gather: Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E, E, unknown, unknown> = Channel
    .readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        for (const item of input) {
          held.chunks.push(item)
          held.bytes += item.length
        }
        return held.bytes >= minBytes
          ? Channel.zipRight(Channel.suspend(() => Channel.write(takeGathered(held))), gather)
          : gather
      },
      onFailure: (cause) =>
        held.bytes === 0
          ? Channel.failCause(cause)
          : Channel.zipRight(Channel.suspend(() => Channel.write(takeGathered(held))), Channel.failCause(cause)),
      onDone: () => held.bytes === 0 ? Channel.void : Channel.suspend(() => Channel.write(takeGathered(held)))
    })
  return Stream.pipeThroughChannelOrFail(self, Channel.suspend(() => gather))
}

/**
 * `self`, failing with `onIdle()` when no chunk arrived during a whole `duration`. Arrivals are
 * counted before `inner` (which may batch them), the watchdog races each pull of `inner`'s result.
 * When it fires, what `inner` had gathered (`held`) is delivered before the failure, so a
 * stalled body resumes from the last byte received.
 */
export const idleTimeout = <E, R, E2>(
  self: Stream.Stream<Uint8Array, E, R>,
  inner: (counted: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Uint8Array, E, R>,
  duration: Duration.DurationInput,
  onIdle: () => E2,
  held: Gathered = gathered()
): Stream.Stream<Uint8Array, E | E2, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    let activity = 0
    let stalled = false
    const counted = Stream.mapChunks(self, (chunk) => {
      activity += 1
      return chunk
    })
    const pull = yield* Stream.toPull(inner(counted))
    // Resolves only after a full period without any arrival: with the bytes gathered so far
    // (the failure follows on the next pull), or with the failure itself.
    const watchdog = Effect.suspend(() => {
      let seen = activity
      return Effect.sleep(duration).pipe(
        Effect.flatMap(() => {
          const idle = activity === seen
          seen = activity
          return idle ? Effect.fail(Option.none()) : Effect.void
        }),
        Effect.forever,
        Effect.catchAll(() => {
          stalled = true
          return held.bytes > 0 ? Effect.succeed(takeGathered(held)) : Effect.fail(Option.some<E | E2>(onIdle()))
        })
      )
    })
    return Stream.repeatEffectChunkOption<Uint8Array, E | E2, R>(
      Effect.suspend(() => stalled ? Effect.fail(Option.some<E | E2>(onIdle())) : Effect.raceFirst(pull, watchdog))
    )
  }))
