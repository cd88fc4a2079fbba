/**
 * Where downloaded bytes go: the download pipeline lives in core and writes through this
 * interface, so Node writes files (with a resumable working area beside the target), browsers
 * write Blobs, and tests write memory.
 *
 * A sink is opened for one expected content (size and digests). It answers with the bytes it
 * already holds for that same content — a partial download an earlier run left behind — so the
 * download resumes after them, and makes the content appear at its target only on `commit`,
 * once it is complete and verified. Closing the scope without a commit keeps what was written
 * for a later run; `reset` throws it away (after a digest mismatch, so no bad bytes stay).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { LocalDataError } from "./DandiError.js"

/**
 * The content a sink is opened for. `digests` uses dandi-cli's names (`dandi-etag`, `sha256`),
 * the keys of its resume directory's `checksum` file.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpectedContent {
  readonly size: number
  readonly digests: Readonly<Record<string, string>>
}

/**
 * A sink opened for one content.
 *
 * @since 0.1.0
 * @category models
 */
export interface SinkSession {
  /** Bytes already held for this content (from an interrupted run); writing continues after them. */
  readonly held: number
  /** Appends bytes after what is held. */
  readonly write: (chunk: Uint8Array) => Effect.Effect<void, LocalDataError>
  /** The first `length` held bytes, to hash a resumed prefix. */
  readonly readHeld: (length: number) => Stream.Stream<Uint8Array, LocalDataError>
  /** Drops every held byte; writing starts again at 0. */
  readonly reset: Effect.Effect<void, LocalDataError>
  /** The content is complete and verified: make it appear at the target (with `mtime`, if given). */
  readonly commit: (options: { readonly mtime?: Date | undefined }) => Effect.Effect<void, LocalDataError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ByteSink {
  /** For messages and progress events: a path or a name. */
  readonly name: string
  /** Opens the sink for `expected`; the scope's end releases handles and locks. */
  readonly open: (expected: ExpectedContent) => Effect.Effect<SinkSession, LocalDataError, Scope.Scope>
}

/**
 * A sink in memory plus a view of what it committed; what was written but not committed is
 * kept across opens for the same content, as a file sink keeps it across runs.
 *
 * @since 0.1.0
 * @category constructors
 */
export interface MemorySink {
  readonly sink: ByteSink
  /** The committed bytes, once a download completed. */
  readonly committed: Effect.Effect<Option.Option<Uint8Array>>
  /** The bytes written and not yet committed. */
  readonly partial: Effect.Effect<Uint8Array>
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

const sameContent = (a: ExpectedContent, b: ExpectedContent): boolean =>
  a.size === b.size && JSON.stringify(Object.entries(a.digests).sort()) === JSON.stringify(Object.entries(b.digests).sort())

/**
 * A ByteSink that keeps everything in memory (browsers without a file system, tests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const memory = (name = "memory"): Effect.Effect<MemorySink> =>
  Effect.gen(function*() {
    const partial = yield* Ref.make<{ readonly content: ExpectedContent | undefined; readonly chunks: Array<Uint8Array> }>(
      { content: undefined, chunks: [] }
    )
    const committed = yield* Ref.make(Option.none<Uint8Array>())
    const sink: ByteSink = {
      name,
      open: (expected) =>
        Effect.gen(function*() {
          const state = yield* Ref.updateAndGet(partial, (current) =>
            current.content !== undefined && sameContent(current.content, expected)
              ? current
              : { content: expected, chunks: [] })
          const chunks = state.chunks
          const heldBytes = () => concat(chunks)
          return {
            held: chunks.reduce((total, chunk) => total + chunk.length, 0),
            // Copied: the caller may reuse its buffer.
            write: (chunk) => Effect.sync(() => void chunks.push(Uint8Array.from(chunk))),
            readHeld: (length) => Stream.suspend(() => Stream.make(heldBytes().subarray(0, length))),
            reset: Effect.sync(() => void chunks.splice(0, chunks.length)),
            commit: () =>
              Effect.zipRight(
                Ref.set(committed, Option.some(heldBytes())),
                Ref.set(partial, { content: undefined, chunks: [] })
              )
          } satisfies SinkSession
        })
    }
    return {
      sink,
      committed: Ref.get(committed),
      partial: Effect.map(Ref.get(partial), (state) => concat(state.chunks))
    }
  })
