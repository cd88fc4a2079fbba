/**
 * An HDF5 (NWB) file read lazily with h5wasm through a RangedReader: only the byte ranges the
 * HDF5 library asks for are fetched, in blocks.
 *
 * h5wasm reads synchronously from its in-memory file system, while a ranged read is
 * asynchronous. The file is therefore mounted as a node whose reads are served from fetched
 * blocks; a read that needs a block not fetched yet records it and fails. HDF5 reports the
 * failure, the blocks are fetched, and the whole inspection runs again from the start, now
 * finding them. Opening a file needs a few passes (the superblock, then the object headers it
 * points to); each pass re-reads only cached blocks.
 */
import type { RangedReader } from "@dandi-effect/core/RangedReader"
import * as Effect from "effect/Effect"
import * as h5wasm from "h5wasm"

export interface Hdf5Node {
  readonly path: string
  readonly kind: "group" | "dataset"
  /** NWB's `neurodata_type` attribute, when present. */
  readonly neurodataType?: string | undefined
  readonly shape?: ReadonlyArray<number> | undefined
  readonly dtype?: string | undefined
}

export interface Hdf5Summary {
  readonly nwbVersion: string | undefined
  readonly nodes: ReadonlyArray<Hdf5Node>
  /** Bytes fetched from storage to build this summary. */
  readonly bytesRead: number
  readonly size: number
  /** How many times the inspection ran before every block it needed was there. */
  readonly passes: number
}

/** The parts of Emscripten's file system used here. */
interface EmscriptenFS {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an Emscripten FS node is untyped
  createFile(parent: string, name: string, properties: object, canRead: boolean, canWrite: boolean): any
  unlink(path: string): void
  ErrnoError: new(errno: number) => Error
}

/**
 * HDF5's error reporting in h5wasm: by default every failed read prints HDF5's error stack to
 * the console; the throwing handler turns it into an exception instead (caught below).
 */
interface ErrorHandlers {
  activate_throwing_error_handler(): number
  deactivate_throwing_error_handler(): number
}

/** Emscripten's errno for an I/O error. */
const EIO = 29
let mounted = 0

const attribute = (object: h5wasm.Group | h5wasm.Dataset, name: string): string | undefined => {
  const value = object.attrs[name]?.value
  return typeof value === "string" ? value : undefined
}

const walk = (group: h5wasm.Group, path: string, out: Array<Hdf5Node>): Array<Hdf5Node> => {
  for (const key of group.keys()) {
    const child = group.get(key)
    const childPath = `${path}/${key}`
    if (child instanceof h5wasm.Group) {
      out.push({ path: childPath, kind: "group", neurodataType: attribute(child, "neurodata_type") })
      walk(child, childPath, out)
    } else if (child instanceof h5wasm.Dataset) {
      out.push({
        path: childPath,
        kind: "dataset",
        neurodataType: attribute(child, "neurodata_type"),
        shape: child.shape ?? [],
        dtype: String(child.dtype)
      })
    }
  }
  return out
}

/**
 * The group tree of the HDF5 file behind `reader` (every group, dataset shape and dtype; no
 * dataset values), fetching `blockSize` bytes at a time.
 */
export const inspect = <E>(reader: RangedReader<E>, blockSize = 16 * 1024): Effect.Effect<Hdf5Summary, E | Error> =>
  Effect.gen(function*() {
    const module = yield* Effect.promise(() => h5wasm.ready)
    // Emscripten's FS: h5wasm's types list only the calls its own helpers use.
    const FS = module.FS as unknown as EmscriptenFS
    const errors = module as unknown as ErrorHandlers
    const size = reader.size
    const blocks = new Map<number, Uint8Array>()
    const missing = new Set<number>()
    const name = `/lazy-${++mounted}.h5`
    const node = FS.createFile("/", name.slice(1), {}, true, false)
    // A `contents` marks the node as loaded for Emscripten; reads go through `stream_ops.read`.
    node.contents = { length: size }
    Object.defineProperty(node, "usedBytes", { get: () => size })
    node.stream_ops = {
      ...node.stream_ops,
      read: (_stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
        if (position >= size) return 0
        const end = Math.min(size, position + length)
        for (let index = Math.floor(position / blockSize); index * blockSize < end; index++) {
          if (!blocks.has(index)) missing.add(index)
        }
        if (missing.size > 0) throw new FS.ErrnoError(EIO)
        for (let at = position; at < end;) {
          const index = Math.floor(at / blockSize)
          const block = blocks.get(index)!
          const from = at - index * blockSize
          const count = Math.min(end - at, block.length - from)
          buffer.set(block.subarray(from, from + count), offset + (at - position))
          at += count
        }
        return end - position
      }
    }

    const attempt = () => {
      const file = new h5wasm.File(name, "r")
      try {
        const result = { nwbVersion: attribute(file, "nwb_version"), nodes: walk(file, "", []) }
        // h5wasm turns some failed reads into empty answers: a pass counts only if nothing was missing.
        return missing.size === 0 ? result : undefined
      } finally {
        file.close()
      }
    }

    let bytesRead = 0
    const pass = (passes: number): Effect.Effect<Hdf5Summary, E | Error> =>
      Effect.gen(function*() {
        const result = yield* Effect.try({
          try: attempt,
          catch: (cause) => cause instanceof Error ? cause : new Error(String(cause))
        }).pipe(Effect.catchAll((error) => missing.size > 0 ? Effect.succeed(undefined) : Effect.fail(error)))
        if (result !== undefined) return { ...result, bytesRead, size, passes }
        const wanted = [...missing]
        missing.clear()
        yield* Effect.forEach(wanted, (index) =>
          Effect.map(reader.read(index * blockSize, blockSize), (bytes) => {
            blocks.set(index, bytes)
            bytesRead += bytes.length
          }), { concurrency: 4, discard: true })
        return yield* pass(passes + 1)
      })
    errors.activate_throwing_error_handler()
    return yield* pass(1).pipe(Effect.ensuring(Effect.sync(() => {
      errors.deactivate_throwing_error_handler()
      FS.unlink(name)
    })))
  })
