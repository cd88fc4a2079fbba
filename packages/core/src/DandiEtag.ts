/**
 * The DANDI etag (dandischema `DandiETag`): an S3-multipart-style MD5 of part MD5s, with the part
 * plan the archive uses for uploads. Parts are independent, so they can be hashed in any order
 * and concurrently; the streaming hasher emits each part's digest as soon as the part is full.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { LocalDataError, ObjectTooLargeError } from "./DandiError.js"
import * as Digest from "./Digest.js"
import { Hasher, toHex } from "./Hasher.js"
import type { ByteSource } from "./ByteSource.js"

const MiB = 2 ** 20
const GiB = 2 ** 30
const TiB = 2 ** 40

/**
 * @since 0.1.0
 * @category constants
 */
export const MIN_PART_SIZE = 5 * MiB
/**
 * @since 0.1.0
 * @category constants
 */
export const MAX_PART_SIZE = 5 * GiB
/**
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PART_SIZE = 64 * MiB
/**
 * @since 0.1.0
 * @category constants
 */
export const MAX_PARTS = 10_000
/**
 * S3's maximum object size. Every size below it is a safe JS integer, so plain numbers suffice.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_OBJECT_SIZE = 5 * TiB

/**
 * Shape of a dandi-etag string.
 *
 * @since 0.1.0
 * @category constants
 */
export const etagPattern = /^[0-9a-f]{32}-\d{1,5}$/

/**
 * One part of the plan; `number` is 1-based as in S3.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Part extends Schema.Class<Part>("@dandi-effect/core/DandiEtag/Part")({
  number: Schema.Number,
  offset: Schema.Number,
  size: Schema.Number
}) {}

/**
 * How a file of `size` bytes is split into upload parts.
 *
 * @since 0.1.0
 * @category schemas
 */
export class PartPlan extends Schema.Class<PartPlan>("@dandi-effect/core/DandiEtag/PartPlan")({
  size: Schema.Number,
  partCount: Schema.Number,
  /** Size of every part but the last (equal to the whole file when there is one part). */
  initialPartSize: Schema.Number,
  finalPartSize: Schema.Number
}) {
  partSize(number: number): number {
    return number === this.partCount ? this.finalPartSize : this.initialPartSize
  }

  part(number: number): Part {
    return new Part({ number, offset: (number - 1) * this.initialPartSize, size: this.partSize(number) })
  }

  *parts(): IterableIterator<Part> {
    for (let number = 1; number <= this.partCount; number++) yield this.part(number)
  }
}

/**
 * The part plan of dandischema for a file of `size` bytes; larger than 5 TiB is an error.
 *
 * @since 0.1.0
 * @category utils
 */
export const plan = (size: number): Either.Either<PartPlan, ObjectTooLargeError> => {
  if (!Number.isSafeInteger(size) || size < 0) {
    return Either.left(
      new ObjectTooLargeError({
        message: `Cannot plan upload parts for a size of ${size} bytes: sizes must be whole, non-negative numbers.`,
        size,
        limit: MAX_OBJECT_SIZE
      })
    )
  }
  if (size > MAX_OBJECT_SIZE) {
    return Either.left(
      new ObjectTooLargeError({
        message: `File is larger than the S3 maximum object size (${size} > ${MAX_OBJECT_SIZE} bytes); ` +
          `it cannot be uploaded to the archive as one asset.`,
        size,
        limit: MAX_OBJECT_SIZE
      })
    )
  }
  if (size === 0) return Either.right(new PartPlan({ size, partCount: 0, initialPartSize: 0, finalPartSize: 0 }))
  let partSize = DEFAULT_PART_SIZE
  if (Math.ceil(size / partSize) >= MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS)
  let partCount = Math.floor(size / partSize)
  const remainder = size - partCount * partSize
  let finalPartSize = partSize
  if (remainder !== 0) {
    finalPartSize = remainder
    partCount += 1
  }
  if (partCount === 1) partSize = finalPartSize
  return Either.right(new PartPlan({ size, partCount, initialPartSize: partSize, finalPartSize }))
}

/**
 * The MD5 of one part, as the archive's S3 would report it in the part's ETag.
 *
 * @since 0.1.0
 * @category schemas
 */
export class PartDigest extends Schema.Class<PartDigest>("@dandi-effect/core/DandiEtag/PartDigest")({
  partNumber: Schema.Number,
  md5: Schema.Uint8ArrayFromSelf
}) {
  get md5Hex(): string {
    return toHex(this.md5)
  }
}

/**
 * The etag from every part's MD5, supplied in any order. A missing or duplicated part is a bug in
 * the caller, so it is a defect rather than a typed failure.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPartDigests = (
  partCount: number,
  digests: Iterable<PartDigest>
): Effect.Effect<string, never, Hasher> =>
  Effect.gen(function*() {
    const ordered = new Array<Uint8Array | undefined>(partCount)
    for (const { md5, partNumber } of digests) {
      if (partNumber < 1 || partNumber > partCount || ordered[partNumber - 1] !== undefined) {
        return yield* Effect.dieMessage(`DandiEtag: part ${partNumber} is out of range or given twice`)
      }
      ordered[partNumber - 1] = md5
    }
    const hash = (yield* Hasher).create("md5")
    for (let i = 0; i < partCount; i++) {
      const md5 = ordered[i]
      if (md5 === undefined) return yield* Effect.dieMessage(`DandiEtag: part ${i + 1} of ${partCount} is missing`)
      hash.update(md5)
    }
    return `${toHex(hash.digest())}-${partCount}`
  })

const overflowError = (name: string, size: number) =>
  new LocalDataError({
    message: `${name} produced more than the ${size} bytes it was planned with (partial update extended past ` +
      `end of file); it changed while being read, so read it again.`,
    path: name
  })

const shortError = (name: string, got: number, size: number) =>
  new LocalDataError({
    message: `${name} ended after ${got} of the ${size} bytes it was planned with; it changed or was truncated ` +
      `while being read, so read it again.`,
    path: name
  })

/**
 * Part digests of a byte stream of exactly `plan.size` bytes, each emitted as soon as its part is
 * full. Chunking is irrelevant; extra or missing bytes fail with a LocalDataError naming `name`.
 *
 * @since 0.1.0
 * @category utils
 */
export const partDigests = (partPlan: PartPlan, name = "stream") =>
<E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<PartDigest, E | LocalDataError, R | Hasher> =>
  Stream.unwrap(Effect.map(Hasher, (hasher) => {
    // Mutable per-run state: created afresh each time the stream is run.
    let partNumber = 1
    let filled = 0
    let total = 0
    let hash = hasher.create("md5")
    const feed = (chunk: Uint8Array): Effect.Effect<Array<PartDigest>, LocalDataError> => {
      const done: Array<PartDigest> = []
      let at = 0
      while (at < chunk.length) {
        if (partNumber > partPlan.partCount) return Effect.fail(overflowError(name, partPlan.size))
        const partSize = partPlan.partSize(partNumber)
        const take = Math.min(partSize - filled, chunk.length - at)
        hash.update(take === chunk.length ? chunk : chunk.subarray(at, at + take))
        at += take
        filled += take
        total += take
        if (filled === partSize) {
          done.push(new PartDigest({ partNumber, md5: hash.digest() }))
          partNumber += 1
          filled = 0
          hash = hasher.create("md5")
        }
      }
      return Effect.succeed(done)
    }
    const end = Stream.suspend(() =>
      partNumber <= partPlan.partCount ? Stream.fail(shortError(name, total, partPlan.size)) : Stream.empty
    )
    return bytes.pipe(Stream.mapEffect(feed), Stream.flattenIterables, Stream.concat(end))
  }))

/**
 * The dandi-etag of a byte stream that must hold exactly `size` bytes.
 *
 * @since 0.1.0
 * @category utils
 */
export const stream = (size: number, name = "stream") =>
<E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>
): Effect.Effect<string, E | LocalDataError | ObjectTooLargeError, R | Hasher> =>
  Effect.gen(function*() {
    const partPlan = yield* plan(size)
    const digests = yield* Stream.runCollect(partDigests(partPlan, name)(bytes))
    return yield* fromPartDigests(partPlan.partCount, digests)
  })

/**
 * Digest of one part read from a source, checking it has exactly the planned length.
 *
 * @since 0.1.0
 * @category utils
 */
export const partOfSource = (source: ByteSource, part: Part): Effect.Effect<PartDigest, LocalDataError, Hasher> =>
  Effect.gen(function*() {
    let got = 0
    const counted = source.slice(part.offset, part.size).pipe(Stream.tap((chunk) => Effect.sync(() => {
      got += chunk.length
    })))
    const md5 = yield* Digest.streamRaw("md5")(counted)
    if (got !== part.size) {
      return yield* Effect.fail(
        got > part.size ? overflowError(source.name, source.size) : shortError(source.name, part.offset + got, source.size)
      )
    }
    return new PartDigest({ partNumber: part.number, md5 })
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface SourceOptions {
  /** Parts hashed at once; helps only where reading overlaps hashing (I/O-bound sources). */
  readonly concurrency?: number
}

/**
 * The dandi-etag of a ByteSource, reading independent parts concurrently. On a single JS thread
 * this overlaps I/O, not hashing; Node's ParallelEtag hashes parts on worker threads instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSource: (
  source: ByteSource,
  options?: SourceOptions
) => Effect.Effect<string, LocalDataError | ObjectTooLargeError, Hasher> = Effect.fn("DandiEtag.fromSource")(
  function*(source: ByteSource, options?: SourceOptions) {
    const partPlan = yield* plan(source.size)
    const digests = yield* Effect.forEach(partPlan.parts(), (part) => partOfSource(source, part), {
      concurrency: options?.concurrency ?? 2
    })
    return yield* fromPartDigests(partPlan.partCount, digests)
  }
)
