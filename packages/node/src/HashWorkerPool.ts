/**
 * Worker threads that hash local files and list directories. Each worker opens files itself,
 * reads with large sequential `readSync` calls into one reused buffer and hashes with
 * `node:crypto`, so file bytes never cross a thread boundary and memory stays at one buffer per
 * worker whatever the file size. Only paths, names and hex digests travel in messages.
 *
 * Directory listing runs on the workers too (`scan`): with thousands of small Zarr chunks, the
 * main thread's async `readdir` and per-file messages, not hashing, were the bottleneck.
 *
 * The worker body is plain JavaScript in a string run with `new Worker(code, { eval: true })`:
 * a `.ts` worker file cannot be loaded by `new Worker` under vitest (sources are not compiled),
 * and a separate `.js` file would need copying next to `dist/`. An eval'd CommonJS body works
 * unchanged from `src/` under vitest, from `dist/` for the CLI and from the bench script.
 *
 * @since 0.1.0
 */
import type { HashAlgorithm } from "@dandi-effect/core/Hasher"
import { describeCause, LocalDataError } from "@dandi-effect/core/DandiError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"

/**
 * Bytes per read: large enough to keep the disk sequential, small enough to stay in L2 cache
 * between the read and the hash (docs/BENCHMARKS.md has the trials). One buffer per worker.
 */
const READ_BLOCK = 2 ** 20

const workerSource = `
"use strict"
const { parentPort } = require("node:worker_threads")
const fs = require("node:fs")
const path = require("node:path")
const crypto = require("node:crypto")
const buffer = Buffer.allocUnsafe(${READ_BLOCK})
const failure = (error) => ({ error: { code: String(error && error.code || ""), message: String(error && error.message || error) } })
const hashRange = (file, offset, length, algorithm) => {
  const fd = fs.openSync(file, "r")
  try {
    const hash = crypto.createHash(algorithm)
    let done = 0
    while (length < 0 || done < length) {
      const want = length < 0 ? buffer.length : Math.min(buffer.length, length - done)
      const got = fs.readSync(fd, buffer, 0, want, offset + done)
      if (got === 0) break
      hash.update(got === buffer.length ? buffer : buffer.subarray(0, got))
      done += got
      // A short read of a regular file means end of file: skipping the read that would return 0
      // saves a syscall per small Zarr chunk.
      if (got < want) break
    }
    return { digest: hash.digest("hex"), bytes: done }
  } finally {
    fs.closeSync(fd)
  }
}
const hashOrFail = (file, offset, length, algorithm) => {
  try {
    return hashRange(file, offset, length, algorithm)
  } catch (error) {
    return Object.assign(failure(error), { path: file })
  }
}
const scan = ({ dir, excluded, hashLimit, algorithm }) => {
  let entries
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    return Object.assign(failure(error), { path: dir })
  }
  const skip = new Set(excluded)
  const dirs = []
  const files = []
  for (const entry of entries) {
    if (skip.has(entry.name)) continue
    let isDir = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      // Followed, so a Zarr assembled from links checksums like the files it points to.
      try {
        const target = fs.statSync(path.join(dir, entry.name))
        isDir = target.isDirectory()
        isFile = target.isFile()
      } catch (error) {
        return Object.assign(failure(error), { path: path.join(dir, entry.name) })
      }
    }
    if (isDir) dirs.push(entry.name)
    else if (isFile) files.push(entry.name)
  }
  const hashed = []
  const count = Math.min(files.length, hashLimit)
  for (let i = 0; i < count; i++) {
    const result = hashOrFail(path.join(dir, files[i]), 0, -1, algorithm)
    if (result.error) return result
    hashed.push([files[i], result.bytes, result.digest])
  }
  return { dirs, hashed, rest: files.slice(count) }
}
parentPort.on("message", (message) => {
  if (message.kind === "scan") {
    parentPort.postMessage(scan(message))
    return
  }
  const results = []
  for (const item of message.items) {
    const result = hashOrFail(item.path, item.offset, item.length, item.algorithm)
    results.push(result)
    if (result.error) break
  }
  parentPort.postMessage({ results })
})
`

/**
 * Hash `length` bytes of `path` from `offset`; a negative length means "to the end of the file".
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeItem {
  readonly path: string
  readonly offset: number
  readonly length: number
  readonly algorithm: HashAlgorithm
}

/**
 * The digest of one range, with how many bytes were read.
 *
 * @since 0.1.0
 * @category models
 */
export interface RangeDigest {
  readonly digest: string
  /** Bytes actually read: fewer than asked means the file is shorter than expected. */
  readonly bytes: number
}

/**
 * One directory listed on a worker, with up to `hashLimit` of its files already hashed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanResult {
  readonly dirs: ReadonlyArray<string>
  /** `[name, size, digest]` of hashed files. */
  readonly hashed: ReadonlyArray<readonly [string, number, string]>
  /** Files left for the caller to hash (spread over workers in batches). */
  readonly rest: ReadonlyArray<string>
}

/**
 * What `scan` skips and hashes: names to leave out, and up to `hashLimit` files to hash with `algorithm`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanOptions {
  readonly excluded: ReadonlyArray<string>
  readonly hashLimit: number
  readonly algorithm: HashAlgorithm
}

/**
 * What the HashWorkerPool service offers.
 *
 * @since 0.1.0
 * @category models
 */
export interface HashWorkerPoolShape {
  readonly workers: number
  /** Hash a batch of ranges on one worker (batches spread over idle workers), in item order. */
  readonly hash: (items: ReadonlyArray<RangeItem>) => Effect.Effect<ReadonlyArray<RangeDigest>, LocalDataError>
  /** List a directory (following symbolic links) and hash some of its files, on one worker. */
  readonly scan: (dir: string, options: ScanOptions) => Effect.Effect<ScanResult, LocalDataError>
}

/**
 * The worker threads that hash local files and list directories.
 *
 * @since 0.1.0
 * @category tags
 */
export class HashWorkerPool extends Context.Tag("@dandi-effect/node/HashWorkerPool")<
  HashWorkerPool,
  HashWorkerPoolShape
>() {}

/**
 * A LocalDataError whose message names the path and says what to check.
 *
 * @since 0.1.0
 * @category errors
 */
export const fileError = (path: string, code: string, detail: string): LocalDataError => {
  const reason = code === "ENOENT"
    ? "no such file or directory"
    : code === "EACCES" || code === "EPERM"
    ? "permission denied"
    : code === "EISDIR"
    ? "is a directory"
    : code === "ENOTDIR"
    ? "not a directory"
    : detail
  return new LocalDataError({ message: `Cannot read ${path}: ${describeCause(reason)}.`, path })
}

interface WireError {
  readonly error: { readonly code: string; readonly message: string }
  readonly path: string
}

const isWireError = (value: unknown): value is WireError =>
  typeof value === "object" && value !== null && "error" in value

interface Job {
  readonly request: unknown
  readonly onReply: (reply: unknown) => void
  cancelled: boolean
}

/**
 * How `make` and `layer` size the pool.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolOptions {
  /** Worker threads; defaults to the number of CPUs the process may use. */
  readonly workers?: number
}

/**
 * A pool whose workers start on first use and are terminated when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: PoolOptions = {}): Effect.Effect<HashWorkerPoolShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const size = Math.max(1, options.workers ?? availableParallelism())
    const idle: Array<Worker> = []
    const all: Array<Worker> = []
    const busy = new Map<Worker, Job>()
    const waiting: Array<Job> = []
    let closed = false

    const release = (worker: Worker) => {
      // Idle workers must not keep the process alive; busy ones must, or an await would end it.
      worker.unref()
      idle.push(worker)
      pump()
    }

    const spawn = (): Worker => {
      const worker = new Worker(workerSource, { eval: true })
      worker.on("message", (reply: unknown) => {
        const job = busy.get(worker)
        busy.delete(worker)
        release(worker)
        if (job !== undefined && !job.cancelled) job.onReply(reply)
      })
      worker.on("error", (error) => {
        const job = busy.get(worker)
        busy.delete(worker)
        all.splice(all.indexOf(worker), 1)
        if (job !== undefined && !job.cancelled) job.onReply({ defect: error })
        pump()
      })
      all.push(worker)
      return worker
    }

    const pump = () => {
      while (!closed && waiting.length > 0) {
        const job = waiting.shift()!
        if (job.cancelled) continue
        const worker = idle.pop() ?? (all.length < size ? spawn() : undefined)
        if (worker === undefined) {
          waiting.unshift(job)
          return
        }
        worker.ref()
        busy.set(worker, job)
        worker.postMessage(job.request)
      }
    }

    yield* Effect.addFinalizer(() =>
      Effect.promise(() => {
        closed = true
        return Promise.all(all.map((worker) => worker.terminate()))
      })
    )

    const submit = <A>(request: unknown, decode: (reply: unknown) => Effect.Effect<A, LocalDataError>) =>
      Effect.async<A, LocalDataError>((resume) => {
        const job: Job = {
          request,
          onReply: (reply) =>
            resume(
              typeof reply === "object" && reply !== null && "defect" in reply
                ? Effect.die((reply as { readonly defect: unknown }).defect)
                : decode(reply)
            ),
          cancelled: false
        }
        waiting.push(job)
        pump()
        // A running worker cannot be stopped mid-read; its reply is simply dropped.
        return Effect.sync(() => {
          job.cancelled = true
        })
      })

    const hash = (items: ReadonlyArray<RangeItem>) =>
      items.length === 0 ? Effect.succeed([]) : submit({ kind: "hash", items }, (reply) => {
        const results = (reply as { readonly results: ReadonlyArray<RangeDigest | WireError> }).results
        const last = results[results.length - 1]
        return last !== undefined && isWireError(last)
          ? Effect.fail(fileError(last.path, last.error.code, last.error.message))
          : Effect.succeed(results as ReadonlyArray<RangeDigest>)
      })

    const scan = (dir: string, options: ScanOptions) =>
      submit({ kind: "scan", dir, ...options }, (reply) =>
        isWireError(reply)
          ? Effect.fail(fileError(reply.path, reply.error.code, reply.error.message))
          : Effect.succeed(reply as ScanResult))

    return {
      workers: size,
      hash: Effect.fn("HashWorkerPool.hash")(hash),
      scan: Effect.fn("HashWorkerPool.scan")(scan)
    } satisfies HashWorkerPoolShape
  })

/**
 * The pool as a layer; its workers are terminated when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: PoolOptions = {}): Layer.Layer<HashWorkerPool> =>
  Layer.scoped(HashWorkerPool, make(options))
