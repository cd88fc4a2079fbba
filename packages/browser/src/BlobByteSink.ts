/**
 * Where a verified download goes in a browser: a `Blob` (for an object URL, a preview, a parser)
 * or a `WritableStream` — a file the user picked with the File System Access API
 * (`showSaveFilePicker()` then `createWritable()`), or any other stream.
 *
 * ```ts
 * const target = yield* BlobByteSink.toBlob(asset.path, "application/x-nwb")
 * yield* Downloader.completion(asset.downloadTo(target.sink))   // fails on a digest mismatch
 * const blob = yield* target.blob                             // Option<Blob>: only once verified
 * ```
 *
 * Nothing unverified is handed out: the Blob exists only after the digests matched, and a
 * writable stream is closed (which is when a picked file takes the new content) only then; a
 * download that fails or is interrupted aborts it instead. Neither keeps bytes across page loads,
 * so a download in a browser starts from the first byte.
 *
 * @since 0.1.0
 */
import type { ByteSink, SinkSession } from "@dandi-effect/core/ByteSink"
import { LocalDataError } from "@dandi-effect/core/DandiError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"

/**
 * A sink that builds a Blob, and the Blob once a download into it was verified.
 *
 * @since 0.1.0
 * @category models
 */
export interface BlobTarget {
  readonly sink: ByteSink
  /** The verified content; none until a download into `sink` completed. */
  readonly blob: Effect.Effect<Option.Option<Blob>>
}

const failure = (name: string, action: string, cause: unknown) =>
  new LocalDataError({
    message: `Cannot ${action} ${name}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
      `Choose the destination again; the browser may have revoked access to it.`,
    path: name,
    cause
  })

/**
 * Downloads into memory, handed out as one Blob of `type` (default: none) once verified.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toBlob = (name: string, type?: string): Effect.Effect<BlobTarget> =>
  Effect.gen(function*() {
    const result = yield* Ref.make(Option.none<Blob>())
    const sink: ByteSink = {
      name,
      open: () =>
        Effect.sync(() => {
          // Chunks are copied into the Blob at commit; the Downloader does not reuse its buffers.
          const chunks: Array<Uint8Array> = []
          return {
            held: 0,
            write: (chunk) => Effect.sync(() => void chunks.push(chunk)),
            readHeld: () => Stream.empty,
            reset: Effect.sync(() => void chunks.splice(0, chunks.length)),
            commit: () =>
              Ref.set(
                result,
                Option.some(new Blob(chunks as Array<Uint8Array<ArrayBuffer>>, type === undefined ? {} : { type }))
              )
          } satisfies SinkSession
        })
    }
    return { sink, blob: Ref.get(result) }
  })

/**
 * Downloads into a WritableStream opened by `open` for each download (e.g.
 * `() => handle.createWritable()` for a file picked with `showSaveFilePicker`). The stream is
 * closed once the content is verified and aborted otherwise; a digest mismatch after bytes were
 * written fails the download (a stream cannot be rewound), rather than writing a second copy.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toWritable = (
  name: string,
  open: () => WritableStream<Uint8Array> | Promise<WritableStream<Uint8Array>>
): ByteSink => ({
  name,
  open: () =>
    Effect.gen(function*() {
      let written = 0
      let committed = false
      const writer = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => (await open()).getWriter(),
          catch: (cause) => failure(name, "open", cause)
        }),
        (writer, exit) =>
          Exit.isSuccess(exit) && committed
            ? Effect.void
            : Effect.promise(() => writer.abort("download not completed").catch(() => undefined))
      )
      return {
        held: 0,
        write: (chunk) =>
          Effect.tryPromise({
            try: () => writer.write(chunk),
            catch: (cause) => failure(name, "write to", cause)
          }).pipe(Effect.tap(() => void (written += chunk.length))),
        readHeld: () => Stream.empty,
        reset: Effect.suspend(() =>
          written === 0 ? Effect.void : Effect.fail(
            new LocalDataError({
              message: `${name}: the downloaded bytes did not match the archive's digest and a stream cannot be rewound; ` +
                `nothing was saved. Download it again.`,
              path: name
            })
          )
        ),
        commit: () =>
          Effect.tryPromise({
            try: () => writer.close(),
            catch: (cause) => failure(name, "save", cause)
          }).pipe(Effect.tap(() => void (committed = true)))
      } satisfies SinkSession
    })
})
