/**
 * A file as a ByteSink, resumable across runs and processes, laid out as dandi-cli lays it out
 * (so either tool can resume the other's partial download):
 *
 * ```
 * big.bin.dandidownload/
 *   file       the bytes received so far
 *   checksum   JSON of the digests they are for ({"dandi-etag": "…", "sha256": "…"})
 *   lock       held while a download writes here: {"pid": N}
 * ```
 *
 * Opening reads `checksum`: when it shares a digest with the content asked for and every shared
 * one agrees, `file` is kept and writing continues at its end; otherwise it is discarded. The
 * lock is taken without waiting: one held by a live process is refused with a message naming
 * it; one left by a process that no longer runs (killed mid-download) is taken over. Commit
 * renames `file` to the target (a directory in the way is removed, as dandi-cli does), sets its
 * mtime and deletes the working area; closing without a commit keeps everything for next time.
 *
 * @since 0.1.0
 */
import type { ByteSink, ExpectedContent, SinkSession } from "@dandi-effect/core/ByteSink"
import { describeCause, LocalDataError } from "@dandi-effect/core/DandiError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createReadStream } from "node:fs"
import { mkdir, open, readFile, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises"
import type { FileHandle } from "node:fs/promises"
import { dirname, join } from "node:path"

/**
 * The working area beside `target`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const workingArea = (target: string): string => `${target}.dandidownload`

const failure = (path: string, doing: string, cause: unknown) => {
  const e = cause as { readonly code?: unknown; readonly message?: unknown }
  return new LocalDataError({
    message: `Cannot ${doing} ${path}: ${describeCause(e?.message ?? cause)}. Check that the folder is writable and has room.`,
    path,
    cause
  })
}

const attempt = <A>(path: string, doing: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => failure(path, doing, cause) })

/** Bytes gathered before one write. */
const flushThreshold = 1024 * 1024

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const lockOwner = async (lock: string): Promise<number | undefined> => {
  try {
    const pid = (JSON.parse(await readFile(lock, "utf8")) as { readonly pid?: unknown }).pid
    return typeof pid === "number" ? pid : undefined
  } catch {
    return undefined
  }
}

const takeLock = (target: string, lock: string): Effect.Effect<void, LocalDataError> =>
  Effect.tryPromise({
    try: async () => {
      for (let tries = 0; tries < 2; tries++) {
        try {
          const handle = await open(lock, "wx")
          await handle.writeFile(JSON.stringify({ pid: process.pid }))
          await handle.close()
          return
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
          const owner = await lockOwner(lock)
          if (owner !== undefined && (owner === process.pid || processAlive(owner))) {
            throw new LocalDataError({
              message: `Could not acquire download lock for ${target}: process ${owner} is downloading it. Wait for it to finish; if no such download runs, delete ${lock}.`,
              path: target
            })
          }
          // Left by a process that is gone: the partial data stays, the lock is taken over.
          await rm(lock, { force: true })
        }
      }
      throw new Error("the lock file keeps reappearing")
    },
    catch: (error) => error instanceof LocalDataError ? error : failure(lock, "create the download lock", error)
  })

const readChecksum = async (path: string): Promise<Record<string, unknown>> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"))
    return typeof parsed === "object" && parsed !== null ? parsed as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

/** dandi-cli's rule: resume when at least one digest is shared and every shared one agrees. */
const sameDigests = (stored: Record<string, unknown>, wanted: Readonly<Record<string, string>>): boolean => {
  const shared = Object.keys(wanted).filter((key) => key in stored)
  return shared.length > 0 && shared.every((key) => stored[key] === wanted[key])
}

/**
 * A sink writing `target` through its working area.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (target: string): ByteSink => {
  const work = workingArea(target)
  const dataPath = join(work, "file")
  const lockPath = join(work, "lock")
  const checksumPath = join(work, "checksum")

  const open_ = (expected: ExpectedContent) =>
    Effect.gen(function*() {
      yield* attempt(work, "create the download folder", () => mkdir(work, { recursive: true }))
      const state = {
        handle: undefined as FileHandle | undefined,
        done: false,
        flush: (): Promise<void> => Promise.resolve()
      }
      // Taken and guarded in one uninterruptible step: an interruption while the lock file is
      // being written would otherwise leave a lock that no finalizer removes.
      yield* Effect.uninterruptible(Effect.zipRight(
        takeLock(target, lockPath),
        Effect.addFinalizer(() =>
          Effect.promise(async () => {
            // Keep what arrived for the next run.
            await state.flush().catch(() => undefined)
            await state.handle?.close().catch(() => undefined)
            if (!state.done) await unlink(lockPath).catch(() => undefined)
          })
        )
      ))
      const stored = yield* Effect.promise(() => readChecksum(checksumPath))
      if (!sameDigests(stored, expected.digests)) {
        yield* attempt(dataPath, "discard the stale partial download", () => rm(dataPath, { force: true }))
      }
      yield* attempt(checksumPath, "write", () => writeFile(checksumPath, JSON.stringify(expected.digests)))
      const handle = yield* attempt(dataPath, "open", () => open(dataPath, "a"))
      state.handle = handle
      const held = (yield* attempt(dataPath, "inspect", () => handle.stat())).size

      // Small network chunks are gathered and written together (one writev per ~1 MiB): far
      // fewer system calls and promises per GiB. What is not yet flushed when a process dies is
      // simply not held; the next run resumes from what the file really has.
      let pending: Array<Uint8Array> = []
      let pendingBytes = 0
      const flush = async () => {
        if (pendingBytes === 0) return
        const chunks = pending
        const total = pendingBytes
        pending = []
        pendingBytes = 0
        let written = (await handle.writev(chunks)).bytesWritten
        if (written < total) {
          // A short write (rare for files): write the rest one chunk at a time.
          let skip = written
          for (const chunk of chunks) {
            if (skip >= chunk.length) {
              skip -= chunk.length
              continue
            }
            let at = skip
            skip = 0
            while (at < chunk.length) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten
            written += chunk.length
          }
        }
      }
      state.flush = flush
      const write = (chunk: Uint8Array) => {
        // Kept by reference until flushed: network chunks are fresh buffers, never reused.
        pending.push(chunk)
        pendingBytes += chunk.length
        return pendingBytes < flushThreshold ? Effect.void : attempt(dataPath, "write", flush)
      }

      const readHeld = (length: number): Stream.Stream<Uint8Array, LocalDataError> =>
        length <= 0 ? Stream.empty : Stream.fromAsyncIterable(
          createReadStream(dataPath, { start: 0, end: length - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
          (cause) => failure(dataPath, "read back", cause)
        )

      const commit = (options: { readonly mtime?: Date | undefined }) =>
        attempt(target, "move the finished download to", async () => {
          await flush()
          await handle.close()
          state.handle = undefined
          const existing = await stat(target).catch(() => undefined)
          if (existing?.isDirectory() === true) await rm(target, { recursive: true, force: true })
          await rename(dataPath, target)
          if (options.mtime !== undefined) await utimes(target, new Date(), options.mtime)
          state.done = true
          await rm(work, { recursive: true, force: true })
        })

      return {
        held,
        write,
        readHeld,
        reset: attempt(dataPath, "truncate", async () => {
          pending = []
          pendingBytes = 0
          await handle.truncate(0)
        }),
        commit
      } satisfies SinkSession
    })

  return {
    name: target,
    open: (expected) =>
      Effect.zipRight(
        attempt(dirname(target), "create the folder", () => mkdir(dirname(target), { recursive: true })),
        open_(expected)
      )
  }
}
