/**
 * The archive's own digest computations (part plan, dandi-etag, zarr checksum). Written
 * independently of the SDK's client-side digests on purpose: the emulator then cross-checks them.
 *
 * @since 0.1.0
 */
import type { HasherShape } from "../Hasher.js"
import { toHex } from "../Hasher.js"
import * as Utf8 from "./Utf8.js"

const MiB = 1024 * 1024
export const DEFAULT_PART_SIZE = 64 * MiB
export const MAX_PARTS = 10_000
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * 1024 * 1024

export interface PlannedPart {
  readonly partNumber: number
  readonly offset: number
  readonly size: number
}

/** dandischema's part plan: 64 MiB parts, bigger when that would need 10,000 parts or more. */
export const partPlan = (size: number): ReadonlyArray<PlannedPart> => {
  if (size <= 0) return []
  let partSize = DEFAULT_PART_SIZE
  if (Math.ceil(size / partSize) >= MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS)
  const count = Math.ceil(size / partSize)
  const parts: Array<PlannedPart> = []
  for (let n = 1; n <= count; n++) {
    const offset = (n - 1) * partSize
    parts.push({ partNumber: n, offset, size: Math.min(partSize, size - offset) })
  }
  return parts
}

const hexToBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** S3's multipart ETag (= dandi-etag): md5 of the concatenated raw part md5s, then `-N`. */
export const multipartEtag = (hasher: HasherShape, partMd5Hex: ReadonlyArray<string>): string => {
  const h = hasher.create("md5")
  for (const part of partMd5Hex) h.update(hexToBytes(part))
  return `${toHex(h.digest())}-${partMd5Hex.length}`
}

export const md5Hex = (hasher: HasherShape, bytes: Uint8Array): string => {
  const h = hasher.create("md5")
  h.update(bytes)
  return toHex(h.digest())
}

export const EMPTY_ZARR_CHECKSUM = "481a2f77ab786a0f45aafd5db0971caa-0--0"

/** JSON string literal with every character outside printable ASCII as a lower-case `\uXXXX`. */
const asciiJsonString = (text: string): string => {
  let out = "\""
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const ch = text[i]!
    if (ch === "\"") out += "\\\""
    else if (ch === "\\") out += "\\\\"
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (ch === "\b") out += "\\b"
    else if (ch === "\f") out += "\\f"
    else if (c < 0x20 || c > 0x7e) out += "\\u" + c.toString(16).padStart(4, "0")
    else out += ch
  }
  return out + "\""
}

/** Python `str` ordering: by code point, not by UTF-16 unit. */
const compareCodePoints = (a: string, b: string): number => {
  const ca = Array.from(a)
  const cb = Array.from(b)
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return ca.length - cb.length
}

interface ManifestEntry {
  readonly digest: string
  readonly name: string
  readonly size: number
}

interface DirectoryNode {
  readonly files: Array<ManifestEntry>
  readonly directories: Map<string, DirectoryNode>
}

const newNode = (): DirectoryNode => ({ files: [], directories: new Map() })

const serialise = (entries: ReadonlyArray<ManifestEntry>): string =>
  "[" + [...entries].sort((a, b) => compareCodePoints(a.name, b.name)).map((e) =>
    `{"digest":${asciiJsonString(e.digest)},"name":${asciiJsonString(e.name)},"size":${e.size}}`
  ).join(",") + "]"

const directoryDigest = (hasher: HasherShape, node: DirectoryNode): { digest: string; count: number; size: number } => {
  const directories: Array<ManifestEntry> = []
  let count = node.files.length
  let size = node.files.reduce((sum, f) => sum + f.size, 0)
  for (const [name, child] of node.directories) {
    const sub = directoryDigest(hasher, child)
    directories.push({ digest: sub.digest, name, size: sub.size })
    count += sub.count
    size += sub.size
  }
  const manifest = `{"directories":${serialise(directories)},"files":${serialise(node.files)}}`
  return { digest: `${md5Hex(hasher, Utf8.encode(manifest))}-${count}--${size}`, count, size }
}

/** The dandi zarr checksum of files given as `key → (md5 hex, size)`. */
export const zarrChecksum = (
  hasher: HasherShape,
  files: Iterable<readonly [string, { readonly md5: string; readonly size: number }]>
): string => {
  const root = newNode()
  for (const [key, file] of files) {
    const parts = key.split("/")
    let node = root
    for (const dir of parts.slice(0, -1)) {
      let next = node.directories.get(dir)
      if (next === undefined) {
        next = newNode()
        node.directories.set(dir, next)
      }
      node = next
    }
    node.files.push({ digest: file.md5, name: parts[parts.length - 1]!, size: file.size })
  }
  return directoryDigest(hasher, root).digest
}
