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

export interface ObjectStore {
  readonly objects: Map<string, StoredObject>
  readonly multipart: Map<string, MultipartUpload>
}

export const make = (): ObjectStore => ({ objects: new Map(), multipart: new Map() })

export const put = (
  store: ObjectStore,
  object: Omit<StoredObject, "size"> & { readonly size?: number }
): StoredObject => {
  const stored: StoredObject = { ...object, size: object.size ?? contentSize(object.content) }
  store.objects.set(stored.key, stored)
  return stored
}

/** Keys under `prefix` in byte order (keys are ASCII-safe enough that code-unit order matches S3's). */
export const keysWithPrefix = (store: ObjectStore, prefix: string): Array<string> =>
  [...store.objects.keys()].filter((key) => key.startsWith(prefix)).sort(compareBytes)

/** UTF-8 byte order, which is what S3 and PostgreSQL's `C` collation use. */
export const compareBytes = (a: string, b: string): number => {
  const ca = Array.from(a)
  const cb = Array.from(b)
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return ca.length - cb.length
}
