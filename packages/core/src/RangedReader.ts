/**
 * Random access to a remote object through ranged requests: `read(position, length)` for
 * libraries that read files lazily (HDF5/NWB readers ask for a few kilobytes here and there),
 * and a sequential `stream` from any offset.
 *
 * Reads are served from fixed-size blocks kept in a small LRU cache, so the many tiny reads of a
 * header parser cost one request per block, not one per read. Sequential reading switches on
 * read-ahead that doubles with every consecutive read (up to `maxReadAhead` blocks) and is
 * fetched concurrently in the background, so a streaming consumer finds the next blocks already
 * there; a seek resets it. Concurrent readers of the same block share one request, and a failed
 * block is forgotten so the next read asks again. Platform-free: Node wraps it as a `Readable`
 * and a file-handle-like object, browsers can do the same over fetch.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * @since 0.1.0
 * @category models
 */
export interface RangedReaderOptions {
  /** Bytes per request and per cache entry (default 1 MiB). */
  readonly blockSize?: number | undefined
  /** Blocks kept in memory (default 32). */
  readonly cacheBlocks?: number | undefined
  /** Most blocks fetched ahead of a sequential reader (default 8). */
  readonly maxReadAhead?: number | undefined
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number | undefined
}

/**
 * What the reader reads from: a size and the bytes of any range `[start, end)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeSource<E> {
  readonly size: number
  readonly fetch: (start: number, end: number) => Stream.Stream<Uint8Array, E>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RangedReader<E> {
  readonly size: number
  /** Up to `length` bytes at `position` (fewer only at the end of the object; none past it). */
  readonly read: (position: number, length: number) => Effect.Effect<Uint8Array, E>
  /** The bytes from `start` (default 0) to `end` (default: the end), in block-sized chunks. */
  readonly stream: (start?: number, end?: number) => Stream.Stream<Uint8Array, E>
  /** Ranged requests sent so far. */
  readonly requests: Effect.Effect<number>
}

const collect = <E>(stream: Stream.Stream<Uint8Array, E>, length: number): Effect.Effect<Uint8Array, E> =>
  Effect.map(
    Stream.runFold(stream, { out: new Uint8Array(length), at: 0 }, (state, chunk) => {
      state.out.set(chunk.subarray(0, length - state.at), state.at)
      state.at += Math.min(chunk.length, length - state.at)
      return state
    }),
    (state) => state.at === length ? state.out : state.out.subarray(0, state.at)
  )

/**
 * A reader over `source`; background read-ahead lives in the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E>(
  source: RangeSource<E>,
  options: RangedReaderOptions = {}
): Effect.Effect<RangedReader<E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const blockSize = Math.max(1, Math.floor(options.blockSize ?? 1024 * 1024))
    const capacity = Math.max(1, options.cacheBlocks ?? 32)
    const maxReadAhead = Math.max(0, options.maxReadAhead ?? 8)
    const scope = yield* Effect.scope
    const permits = yield* Effect.makeSemaphore(Math.max(1, options.concurrency ?? 4))
    const cache = new Map<number, Deferred.Deferred<Uint8Array, E>>()
    let requests = 0
    let sequentialEnd = -1
    let readAhead = 0
    const blockCount = Math.ceil(source.size / blockSize)

    const remember = (index: number, block: Deferred.Deferred<Uint8Array, E>) => {
      cache.delete(index)
      cache.set(index, block)
      while (cache.size > capacity) {
        const oldest = cache.keys().next().value as number
        cache.delete(oldest)
      }
    }

    /** The block, from the cache or by starting its request in the background. */
    const block = (index: number): Effect.Effect<Deferred.Deferred<Uint8Array, E>> =>
      Effect.suspend(() => {
        const cached = cache.get(index)
        if (cached !== undefined) {
          remember(index, cached)
          return Effect.succeed(cached)
        }
        return Effect.gen(function*() {
          const deferred = yield* Deferred.make<Uint8Array, E>()
          remember(index, deferred)
          const start = index * blockSize
          const end = Math.min(source.size, start + blockSize)
          const fetch = permits.withPermits(1)(
            Effect.suspend(() => {
              requests += 1
              return collect(source.fetch(start, end), end - start)
            })
          )
          yield* fetch.pipe(
            Effect.exit,
            Effect.flatMap((exit) => {
              // A failed block is forgotten, so the next read asks again.
              if (Exit.isFailure(exit) && cache.get(index) === deferred) cache.delete(index)
              return Deferred.done(deferred, exit)
            }),
            Effect.forkIn(scope)
          )
          return deferred
        })
      })

    const read = (position: number, length: number): Effect.Effect<Uint8Array, E> =>
      Effect.suspend(() => {
        const start = Math.max(0, Math.floor(position))
        const end = Math.min(source.size, start + Math.max(0, Math.floor(length)))
        if (end <= start) return Effect.succeed(new Uint8Array(0))
        readAhead = start === sequentialEnd ? Math.min(maxReadAhead, Math.max(1, readAhead * 2)) : 0
        sequentialEnd = end
        const first = Math.floor(start / blockSize)
        const last = Math.floor((end - 1) / blockSize)
        return Effect.gen(function*() {
          const wanted = yield* Effect.forEach(
            Array.from({ length: last - first + 1 }, (_, i) => first + i),
            block
          )
          for (let ahead = last + 1; ahead <= Math.min(blockCount - 1, last + readAhead); ahead++) {
            yield* block(ahead)
          }
          const blocks = yield* Effect.forEach(wanted, Deferred.await)
          if (blocks.length === 1) {
            const offset = start - first * blockSize
            return blocks[0]!.subarray(offset, offset + (end - start))
          }
          const out = new Uint8Array(end - start)
          let at = 0
          blocks.forEach((bytes, i) => {
            const blockStart = (first + i) * blockSize
            const from = Math.max(start, blockStart) - blockStart
            const to = Math.min(end, blockStart + bytes.length) - blockStart
            out.set(bytes.subarray(from, to), at)
            at += to - from
          })
          return out
        })
      })

    const stream = (start = 0, end = source.size): Stream.Stream<Uint8Array, E> =>
      Stream.paginateEffect(Math.max(0, start), (position) => {
        // Block-aligned pieces after the first, so each piece is one cached block.
        const pieceEnd = Math.min(end, (Math.floor(position / blockSize) + 1) * blockSize)
        return Effect.map(read(position, pieceEnd - position), (bytes) =>
          [bytes, pieceEnd >= end || bytes.length === 0 ? Option.none() : Option.some(pieceEnd)] as const)
      }).pipe(Stream.filter((bytes) => bytes.length > 0))

    return { size: source.size, read, stream, requests: Effect.sync(() => requests) }
  })
