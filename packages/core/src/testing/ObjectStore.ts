/**
 * The emulator's object store: keys to immutable contents plus S3 multipart uploads. Generated
 * contents are kept as (size, seed) and produced by range on read, never materialised.
 *
 * @since 0.1.0
 */
import * as Stream from "effect/Stream"
import type { HasherShape } from "../Hasher.js"
import { toHex } from "../Hasher.js"
import { deterministicBytes, deterministicStream } from "./DeterministicBytes.js"
import type { EmulatorContent } from "./EmulatorAdmin.js"
import * as ServerDigests from "./ServerDigests.js"

/** What an object holds: the admin content forms plus the concatenated parts of a multipart upload. */
export type StoredContent =
  | EmulatorContent
  | { readonly _tag: "Chunks"; readonly chunks: ReadonlyArray<Uint8Array> }

export interface StoredObject {
  readonly key: string
  readonly content: StoredContent
  readonly size: number
  /** Hex md5 of the whole object (for single-part objects this is the ETag). */
  readonly etag: string
  readonly lastModified: number
  readonly contentType?: string | undefined
  /** Embargoed objects are never served without a signature; unembargo clears the flag. */
  embargoed: boolean
}

export interface MultipartUpload {
  readonly uploadId: string
  readonly key: string
  readonly embargoed: boolean
  readonly parts: Map<number, { readonly bytes: Uint8Array; readonly md5: string }>
}

export const contentSize = (content: StoredContent): number => {
  switch (content._tag) {
    case "Bytes":
      return content.bytes.length
    case "Generated":
      return content.size
    case "Chunks":
      return content.chunks.reduce((sum, c) => sum + c.length, 0)
  }
}

/** `[offset, offset + length)` of a content, as a stream of chunks. */
export const readRange = (content: StoredContent, offset: number, length: number): Stream.Stream<Uint8Array> => {
  switch (content._tag) {
    case "Bytes":
      return Stream.make(content.bytes.subarray(offset, offset + length))
    case "Generated":
      return deterministicStream(content.seed, offset, length)
    case "Chunks": {
      const out: Array<Uint8Array> = []
      let at = 0
      for (const chunk of content.chunks) {
        const start = Math.max(offset, at)
        const end = Math.min(offset + length, at + chunk.length)
        if (start < end) out.push(chunk.subarray(start - at, end - at))
        at += chunk.length
      }
      return Stream.fromIterable(out)
    }
  }
}

/** Feeds a content range to `consume` chunk by chunk, synchronously and in bounded memory. */
export const forEachChunk = (
  content: StoredContent,
  offset: number,
  length: number,
  consume: (chunk: Uint8Array) => void
): void => {
  if (content._tag === "Generated") {
    const step = 1 << 20
    for (let at = 0; at < length; at += step) {
      consume(deterministicBytes(content.seed, offset + at, Math.min(step, length - at)))
    }
    return
  }
  const chunks = content._tag === "Bytes" ? [content.bytes] : content.chunks
  let at = 0
  for (const chunk of chunks) {
    const start = Math.max(offset, at)
    const end = Math.min(offset + length, at + chunk.length)
    if (start < end) consume(chunk.subarray(start - at, end - at))
    at += chunk.length
  }
}

export const digestOf = (hasher: HasherShape, algorithm: "md5" | "sha256", content: StoredContent): string => {
  const h = hasher.create(algorithm)
  forEachChunk(content, 0, contentSize(content), (chunk) => h.update(chunk))
  return toHex(h.digest())
}

/** The dandi-etag (part by part along the server's part plan) and SHA-256, in one pass. */
export const blobDigestsOf = (hasher: HasherShape, content: StoredContent): { etag: string; sha256: string } => {
  const sha = hasher.create("sha256")
  const partMd5s = ServerDigests.partPlan(contentSize(content)).map((part) => {
    const h = hasher.create("md5")
    forEachChunk(content, part.offset, part.size, (chunk) => {
      h.update(chunk)
      sha.update(chunk)
    })
    return toHex(h.digest())
  })
  return { etag: ServerDigests.multipartEtag(hasher, partMd5s), sha256: toHex(sha.digest()) }
}

/**
 * A Map that counts its changes, so the sorted key index below knows when it is stale. Every
 * route mutates `objects` directly; counting here keeps them all correct without a wrapper API.
 */
class CountingMap<K, V> extends Map<K, V> {
  changes = 0
  override set(key: K, value: V): this {
    this.changes++
    return super.set(key, value)
  }
  override delete(key: K): boolean {
    this.changes++
    return super.delete(key)
  }
  override clear(): void {
    this.changes++
    super.clear()
  }
}

export interface ObjectStore {
  readonly objects: Map<string, StoredObject>
  readonly multipart: Map<string, MultipartUpload>
}

export const make = (): ObjectStore => ({ objects: new CountingMap(), multipart: new Map() })

export const put = (
  store: ObjectStore,
  object: Omit<StoredObject, "size"> & { readonly size?: number }
): StoredObject => {
  const stored: StoredObject = { ...object, size: object.size ?? contentSize(object.content) }
  store.objects.set(stored.key, stored)
  return stored
}

/**
 * UTF-8 byte order, which is what S3 and PostgreSQL's `C` collation use. It is code-point order;
 * UTF-16 code units agree with it except that surrogates (U+D800–DFFF, i.e. code points above
 * U+FFFF) must sort after U+E000–FFFF, hence the shift where two strings first differ.
 */
export const compareBytes = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800
    return x < y ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

interface KeyIndex {
  readonly changes: number
  readonly sorted: ReadonlyArray<string>
}

const indexes = new WeakMap<ObjectStore, KeyIndex>()

/** Every key in byte order, sorted once per change of the store rather than once per request. */
const sortedKeys = (store: ObjectStore): ReadonlyArray<string> => {
  const changes = store.objects instanceof CountingMap ? store.objects.changes : -1
  const cached = indexes.get(store)
  if (cached !== undefined && changes >= 0 && cached.changes === changes) return cached.sorted
  const sorted = [...store.objects.keys()].sort(compareBytes)
  indexes.set(store, { changes, sorted })
  return sorted
}

/** The first index of `sorted` whose key is not below `key` (`strictlyAbove`: above). */
const lowerBound = (sorted: ReadonlyArray<string>, key: string, strictlyAbove: boolean): number => {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    const order = compareBytes(sorted[mid]!, key)
    if (order < 0 || (strictlyAbove && order === 0)) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Keys under `prefix` in byte order, those strictly above `after` only, at most `limit`:
 * a binary search in the sorted index, so a page costs O(log n + limit).
 */
export const keysWithPrefix = (
  store: ObjectStore,
  prefix: string,
  options: { readonly after?: string | undefined; readonly limit?: number | undefined } = {}
): Array<string> => {
  const sorted = sortedKeys(store)
  const after = options.after
  let at = lowerBound(sorted, prefix, false)
  if (after !== undefined && compareBytes(after, prefix) >= 0) at = Math.max(at, lowerBound(sorted, after, true))
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const out: Array<string> = []
  // Keys sharing a prefix are contiguous in byte order.
  for (; at < sorted.length && out.length < limit && sorted[at]!.startsWith(prefix); at++) out.push(sorted[at]!)
  return out
}
