/**
 * Cheap handling of long response bodies. A platform's body stream delivers one small chunk
 * (~64 KiB on Node) per pull, and every stream stage costs a channel step per pull: a GiB is
 * 16,000 pulls through a dozen stages. `batched` gathers network chunks into Chunks of about
 * `minBytes` (no copy: the same Uint8Arrays, grouped), so the stages after it run once per
 * batch. `Stream.timeoutFail` forks a timer race on every pull (the costliest stage by far in a
 * profile); `idleTimeout` instead counts activity for free and races a watchdog once per batch,
 * failing only when nothing at all arrived for a whole `duration`, so a slow link that is still
 * delivering never times out while a batch fills.
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
 * Groups the stream's Uint8Arrays into Chunks of at least `minBytes` (the last one smaller).
 * What was gathered is emitted before a failure, so bytes received before a broken connection
 * are never lost.
 */
export const batched = <E, R>(self: Stream.Stream<Uint8Array, E, R>, minBytes: number = defaultBatchBytes) => {
  const gather = (
    buffer: Array<Uint8Array>,
    bytes: number
  ): Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E, E, unknown, unknown> =>
    Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        let total = bytes
        for (const item of input) {
          buffer.push(item)
          total += item.length
        }
        return total >= minBytes
          ? Channel.zipRight(Channel.write(Chunk.unsafeFromArray(buffer)), gather([], 0))
          : gather(buffer, total)
      },
      onFailure: (cause) =>
        buffer.length === 0
          ? Channel.failCause(cause)
          : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(buffer)), Channel.failCause(cause)),
      onDone: () => buffer.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(buffer))
    })
  return Stream.pipeThroughChannelOrFail(self, Channel.suspend(() => gather([], 0)))
}

/**
 * `self`, failing with `onIdle()` when no chunk arrived during a whole `duration`. Arrivals are
 * counted before `inner` (which may batch them), the watchdog races each pull of `inner`'s result.
 */
export const idleTimeout = <A, E, R, E2>(
  self: Stream.Stream<Uint8Array, E, R>,
  inner: (counted: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<A, E, R>,
  duration: Duration.DurationInput,
  onIdle: () => E2
): Stream.Stream<A, E | E2, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    let activity = 0
    const counted = Stream.mapChunks(self, (chunk) => {
      activity += 1
      return chunk
    })
    const pull = yield* Stream.toPull(inner(counted))
    // Resolves (with a failure) only after a full period without any arrival.
    const watchdog = Effect.suspend(() => {
      let seen = activity
      return Effect.sleep(duration).pipe(
        Effect.flatMap(() => {
          const idle = activity === seen
          seen = activity
          return idle ? Effect.fail(Option.some<E | E2>(onIdle())) : Effect.void
        }),
        Effect.forever
      )
    })
    return Stream.repeatEffectChunkOption<A, E | E2, R>(Effect.raceFirst(pull, watchdog))
  }))
