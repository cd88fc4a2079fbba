/**
 * The dandi-zarr-checksum (zarr_checksum's `ZarrChecksumTree`): every directory is summarised by
 * the MD5 of a JSON manifest of its immediate children plus its file count and total size. The
 * manifest must match Python byte for byte, which plain `Array.prototype.sort` (UTF-16 order) and
 * `JSON.stringify` (non-ASCII kept raw) do not, hence the hand-written ordering and escaping.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { HasherShape } from "./Hasher.js"
import { DuplicateZarrEntry, InvalidZarrChecksum } from "./DandiError.js"
import { Hasher, toHex } from "./Hasher.js"

/**
 * @since 0.1.0
 * @category re-exports
 */
export { DuplicateZarrEntry, InvalidZarrChecksum } from "./DandiError.js"


const checksumPattern = /^([0-9a-f]{32})-([0-9]+)--([0-9]+)$/

/**
 * A directory digest. `size` is a bigint: sums over millions of entries must stay exact, and
 * nothing caps a Zarr's total size below 2^53.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ZarrChecksum extends Schema.Class<ZarrChecksum>("@dandi-effect/core/ZarrChecksum")({
  md5: Schema.String,
  count: Schema.Number,
  size: Schema.BigIntFromSelf
}) {
  override toString(): string {
    return `${this.md5}-${this.count}--${this.size}`
  }
}

/**
 * The checksum of a Zarr with no files: the MD5 of `{"directories":[],"files":[]}`.
 *
 * @since 0.1.0
 * @category constants
 */
export const empty = new ZarrChecksum({ md5: "481a2f77ab786a0f45aafd5db0971caa", count: 0, size: 0n })

/**
 * Parse `{md5}-{count}--{size}`; a missing checksum (null/undefined) is the empty checksum.
 *
 * @since 0.1.0
 * @category utils
 */
export const parse = (checksum: string | null | undefined): Either.Either<ZarrChecksum, InvalidZarrChecksum> => {
  if (checksum === null || checksum === undefined) return Either.right(empty)
  const match = checksumPattern.exec(checksum)
  if (match === null) {
    return Either.left(
      new InvalidZarrChecksum({
        message: `Invalid Zarr checksum ${JSON.stringify(checksum)}: expected "<32 lower-case hex>-<file count>--` +
          `<total size>", e.g. ${JSON.stringify(empty.toString())}.`,
        checksum
      })
    )
  }
  return Either.right(new ZarrChecksum({ md5: match[1]!, count: Number(match[2]), size: BigInt(match[3]!) }))
}

/**
 * @since 0.1.0
 * @category utils
 */
export const format = (checksum: ZarrChecksum): string => checksum.toString()

/**
 * A file in a directory manifest: its plain MD5 (hex) and size.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileEntry {
  readonly name: string
  readonly digest: string
  readonly size: bigint | number
}

/**
 * A subdirectory in a directory manifest, summarised by its own checksum.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryEntry {
  readonly name: string
  readonly checksum: ZarrChecksum
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Manifest {
  readonly files: ReadonlyArray<FileEntry>
  readonly directories: ReadonlyArray<DirectoryEntry>
}

/**
 * Python `str` ordering: by code point. UTF-16 code-unit order agrees except where a surrogate
 * (U+D800–DFFF, i.e. a character above U+FFFF) meets U+E000–FFFF; there the surrogate must win.
 *
 * @since 0.1.0
 * @category utils
 */
export const compareCodePoints = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000
      }
      return x - y
    }
  }
  return a.length - b.length
}

const plainAscii = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
const shortEscapes: Record<number, string> = {
  0x22: "\\\"",
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x08: "\\b",
  0x0c: "\\f"
}

/**
 * A JSON string literal as Python's `json.dumps(ensure_ascii=True)` writes it.
 *
 * @since 0.1.0
 * @category utils
 */
export const jsonString = (value: string): string => {
  if (plainAscii.test(value)) return `"${value}"`
  let out = "\""
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    const short = shortEscapes[unit]
    if (short !== undefined) out += short
    // Iterating code units (not code points) makes astral characters come out as surrogate pairs.
    else if (unit < 0x20 || unit > 0x7e) out += "\\u" + unit.toString(16).padStart(4, "0")
    else out += value[i]
  }
  return out + "\""
}

const byName = <A extends { readonly name: string }>(a: A, b: A) => compareCodePoints(a.name, b.name)

const fileJson = (f: FileEntry) => `{"digest":${jsonString(f.digest)},"name":${jsonString(f.name)},"size":${f.size}}`
const directoryJson = (d: DirectoryEntry) =>
  `{"digest":${jsonString(d.checksum.toString())},"name":${jsonString(d.name)},"size":${d.checksum.size}}`

// Entries must already be in code-point order.
const sortedManifestJson = (files: ReadonlyArray<FileEntry>, directories: ReadonlyArray<DirectoryEntry>): string =>
  `{"directories":[${directories.map(directoryJson).join(",")}],"files":[${files.map(fileJson).join(",")}]}`

/**
 * The exact manifest JSON of one directory (entries sorted here).
 *
 * @since 0.1.0
 * @category utils
 */
export const manifestJson = (manifest: Manifest): string =>
  sortedManifestJson([...manifest.files].sort(byName), [...manifest.directories].sort(byName))

// The manifest is ASCII-only by construction, so each UTF-16 unit is one UTF-8 byte; this keeps
// core free of TextEncoder (not in its ES2022-only lib).
const asciiBytes = (text: string): Uint8Array => {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

/**
 * Total size, exactly: plain numbers while the sum is a safe integer (the fast common case),
 * bigint from there on.
 */
const totalSize = (files: ReadonlyArray<FileEntry>, directories: ReadonlyArray<DirectoryEntry>): bigint => {
  let small = 0
  let big = 0n
  for (const file of files) {
    if (typeof file.size === "number" && Number.isSafeInteger(small + file.size)) small += file.size
    else big += BigInt(file.size)
  }
  for (const directory of directories) big += directory.checksum.size
  return big + BigInt(small)
}

const checksumOfSorted = (
  hasher: HasherShape,
  files: ReadonlyArray<FileEntry>,
  directories: ReadonlyArray<DirectoryEntry>
): ZarrChecksum => {
  let count = files.length
  for (const directory of directories) count += directory.checksum.count
  const hash = hasher.create("md5")
  hash.update(asciiBytes(sortedManifestJson(files, directories)))
  // Fields are correct by construction; skipping validation matters with 10^5+ directories.
  return new ZarrChecksum({ md5: toHex(hash.digest()), count, size: totalSize(files, directories) }, true)
}

/**
 * Directory checksum from its immediate children, with an explicit hasher (no Effect).
 *
 * @since 0.1.0
 * @category utils
 */
export const ofManifestWith = (hasher: HasherShape, manifest: Manifest): ZarrChecksum =>
  checksumOfSorted(hasher, [...manifest.files].sort(byName), [...manifest.directories].sort(byName))

/**
 * Directory checksum from its immediate children (dandi-cli `checksum_zarr_dir`).
 *
 * @since 0.1.0
 * @category utils
 */
export const ofManifest = (manifest: Manifest): Effect.Effect<ZarrChecksum, never, Hasher> =>
  Effect.map(Hasher, (hasher) => ofManifestWith(hasher, manifest))

/**
 * A file of the Zarr: its path relative to the Zarr root (`/`-separated), size and MD5 (hex).
 *
 * @since 0.1.0
 * @category models
 */
export interface Leaf {
  readonly path: string
  readonly size: bigint | number
  readonly digest: string
}

/** A name present twice in two sorted lists (or twice in one), by a linear merge. */
const firstDuplicate = (
  files: ReadonlyArray<{ readonly name: string }>,
  directories: ReadonlyArray<{ readonly name: string }>
): string | undefined => {
  let i = 0
  let j = 0
  let previous: string | undefined
  while (i < files.length || j < directories.length) {
    const takeFile = j >= directories.length ||
      (i < files.length && compareCodePoints(files[i]!.name, directories[j]!.name) <= 0)
    const name = takeFile ? files[i++]!.name : directories[j++]!.name
    if (name === previous) return name
    previous = name
  }
  return undefined
}

interface DirectoryNode {
  readonly path: string
  readonly name: string
  readonly parent: DirectoryNode | undefined
  readonly depth: number
  readonly files: Array<FileEntry>
  readonly directories: Array<DirectoryEntry>
}


/**
 * Accumulates leaves, then computes every directory's checksum. Each leaf creates at most its
 * missing ancestors, directories are processed by depth buckets (no global sort), and each
 * directory sorts only its own children, so the whole is O(n log n).
 *
 * @since 0.1.0
 * @category models
 */
export class Tree {
  private readonly root: DirectoryNode = { path: "", name: "", parent: undefined, depth: 0, files: [], directories: [] }
  private readonly nodes = new Map<string, DirectoryNode>([["", this.root]])

  private node(path: string): DirectoryNode {
    const existing = this.nodes.get(path)
    if (existing !== undefined) return existing
    const slash = path.lastIndexOf("/")
    const parent = this.node(slash < 0 ? "" : path.slice(0, slash))
    const node: DirectoryNode = {
      path,
      name: path.slice(slash + 1),
      parent,
      depth: parent.depth + 1,
      files: [],
      directories: []
    }
    this.nodes.set(path, node)
    return node
  }

  add(leaf: Leaf): void {
    const slash = leaf.path.lastIndexOf("/")
    const parent = slash < 0 ? this.root : this.node(leaf.path.slice(0, slash))
    parent.files.push({ name: leaf.path.slice(slash + 1), digest: leaf.digest, size: leaf.size })
  }

  /** Every directory's checksum, keyed by its path (`""` is the root). */
  checksums(hasher: HasherShape): Either.Either<Map<string, ZarrChecksum>, DuplicateZarrEntry> {
    const byDepth: Array<Array<DirectoryNode>> = []
    for (const node of this.nodes.values()) {
      // Directory entries are derived below; clearing them makes repeated calls give the same answer.
      node.directories.length = 0
      ;(byDepth[node.depth] ??= []).push(node)
    }
    const result = new Map<string, ZarrChecksum>()
    for (let depth = byDepth.length - 1; depth >= 0; depth--) {
      for (const node of byDepth[depth]!) {
        node.files.sort(byName)
        node.directories.sort(byName)
        const duplicate = firstDuplicate(node.files, node.directories)
        if (duplicate !== undefined) {
          const path = node.path === "" ? duplicate : `${node.path}/${duplicate}`
          return Either.left(
            new DuplicateZarrEntry({ message: `Zarr entry ${path} is listed twice; each path must be unique.`, path })
          )
        }
        const checksum = node.files.length === 0 && node.directories.length === 0
          ? empty
          : checksumOfSorted(hasher, node.files, node.directories)
        result.set(node.path, checksum)
        node.parent?.directories.push({ name: node.name, checksum })
      }
    }
    return Either.right(result)
  }
}

/**
 * The checksum of a whole Zarr from its files; no files gives the empty checksum.
 *
 * @since 0.1.0
 * @category utils
 */
export const ofLeaves = (leaves: Iterable<Leaf>): Effect.Effect<ZarrChecksum, DuplicateZarrEntry, Hasher> =>
  Effect.gen(function*() {
    const tree = new Tree()
    for (const leaf of leaves) tree.add(leaf)
    const checksums = yield* tree.checksums(yield* Hasher)
    return checksums.get("")!
  })

/**
 * The checksum of a Zarr whose files arrive as a Stream (e.g. from a directory walk).
 *
 * @since 0.1.0
 * @category utils
 */
export const ofStream = <E, R>(
  leaves: Stream.Stream<Leaf, E, R>
): Effect.Effect<ZarrChecksum, E | DuplicateZarrEntry, R | Hasher> =>
  Effect.gen(function*() {
    const tree = new Tree()
    yield* Stream.runForEach(leaves, (leaf) => Effect.sync(() => tree.add(leaf)))
    const checksums = yield* tree.checksums(yield* Hasher)
    return checksums.get("")!
  })

/**
 * Like `ofStream`, for leaves that arrive in batches (cheaper per leaf than one element each).
 *
 * @since 0.1.0
 * @category utils
 */
export const ofBatches = <E, R>(
  batches: Stream.Stream<ReadonlyArray<Leaf>, E, R>
): Effect.Effect<ZarrChecksum, E | DuplicateZarrEntry, R | Hasher> =>
  Effect.gen(function*() {
    const tree = new Tree()
    yield* Stream.runForEach(batches, (batch) =>
      Effect.sync(() => {
        for (const leaf of batch) tree.add(leaf)
      }))
    const checksums = yield* tree.checksums(yield* Hasher)
    return checksums.get("")!
  })

interface OpenDirectory {
  readonly path: string
  readonly name: string
  readonly files: Array<FileEntry>
  readonly directories: Array<DirectoryEntry>
}

/**
 * The checksum of files that arrive in key order (code-point order of their paths, which is the
 * byte order of an S3 listing such as the archive's `/zarr/{id}/files/`). All keys below a
 * directory are contiguous in that order, so a directory is complete — and folded into its
 * parent — as soon as a key outside it arrives: memory holds only the open directories along
 * the current path, not the whole tree. A key that is not after the one before fails with
 * DuplicateZarrEntry (a repeat) rather than giving a wrong checksum.
 *
 * @since 0.1.0
 * @category models
 */
export class SortedStream {
  private readonly stack: Array<OpenDirectory> = [{ path: "", name: "", files: [], directories: [] }]
  private last: string | undefined
  private failure: DuplicateZarrEntry | undefined

  constructor(private readonly hasher: HasherShape) {}

  private close(): void {
    const done = this.stack.pop()!
    done.files.sort(byName)
    done.directories.sort(byName)
    const duplicate = firstDuplicate(done.files, done.directories)
    if (duplicate !== undefined) {
      const path = done.path === "" ? duplicate : `${done.path}/${duplicate}`
      this.failure ??= new DuplicateZarrEntry({ message: `Zarr entry ${path} is listed twice; each path must be unique.`, path })
    }
    this.stack[this.stack.length - 1]!.directories.push({
      name: done.name,
      checksum: checksumOfSorted(this.hasher, done.files, done.directories)
    })
  }

  /** Adds the next file; false (and `result` fails) when it is out of order. */
  add(leaf: Leaf): boolean {
    if (this.last !== undefined && compareCodePoints(leaf.path, this.last) <= 0) {
      this.failure ??= new DuplicateZarrEntry({
        message: `Zarr entry ${leaf.path} arrives after ${this.last}; entries must come in key order, each once.`,
        path: leaf.path
      })
      return false
    }
    this.last = leaf.path
    const slash = leaf.path.lastIndexOf("/")
    const dir = slash < 0 ? "" : leaf.path.slice(0, slash)
    // Close what the new key has left, then open what it enters.
    while (this.stack.length > 1) {
      const top = this.stack[this.stack.length - 1]!.path
      if (dir === top || dir.startsWith(`${top}/`)) break
      this.close()
    }
    const top = this.stack[this.stack.length - 1]!.path
    if (dir !== top) {
      const rest = dir.slice(top === "" ? 0 : top.length + 1).split("/")
      let path = top
      for (const name of rest) {
        path = path === "" ? name : `${path}/${name}`
        this.stack.push({ path, name, files: [], directories: [] })
      }
    }
    this.stack[this.stack.length - 1]!.files.push({ name: leaf.path.slice(slash + 1), digest: leaf.digest, size: leaf.size })
    return true
  }

  /** Closes every open directory and gives the root's checksum. Call once, after the last file. */
  result(): Either.Either<ZarrChecksum, DuplicateZarrEntry> {
    while (this.stack.length > 1) this.close()
    const root = this.stack[0]!
    root.files.sort(byName)
    root.directories.sort(byName)
    const duplicate = firstDuplicate(root.files, root.directories)
    if (duplicate !== undefined && this.failure === undefined) {
      this.failure = new DuplicateZarrEntry({ message: `Zarr entry ${duplicate} is listed twice; each path must be unique.`, path: duplicate })
    }
    if (this.failure !== undefined) return Either.left(this.failure)
    return Either.right(
      root.files.length === 0 && root.directories.length === 0 ? empty : checksumOfSorted(this.hasher, root.files, root.directories)
    )
  }
}
