/**
 * Deterministic pseudo-random content for "generated" blobs and zarr entries: any byte range of
 * any size can be produced on demand, so large objects are never held in memory.
 *
 * Generator (stable; seeds and expected digests in other tests depend on it): the content is a
 * sequence of little-endian 32-bit words, and word `i` (covering bytes `4i .. 4i+3`) is
 * `fmix32(seed * 0x9E3779B1 + i)` with all arithmetic mod 2^32, where `fmix32` is MurmurHash3's
 * finaliser (`h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16`).
 * Byte `n` therefore depends only on `(seed, n)`.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

const wordAt = (seedBase: number, index: number): number => {
  let h = (seedBase + index) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

/** The bytes `[offset, offset + length)` of the content generated from `seed`. */
export const deterministicBytes = (seed: number, offset: number, length: number): Uint8Array => {
  const out = new Uint8Array(Math.max(0, length))
  const seedBase = Math.imul(seed >>> 0, 0x9e3779b1) >>> 0
  // Word indices can exceed 2^32 for huge objects; wrap like the mod-2^32 definition says.
  const wordOf = (index: number) => wordAt(seedBase, index % 0x100000000)
  let i = 0
  // Leading bytes up to a word boundary.
  while (i < out.length && (offset + i) % 4 !== 0) {
    const position = offset + i
    out[i] = (wordOf(Math.floor(position / 4)) >>> ((position % 4) * 8)) & 0xff
    i++
  }
  // Whole words, four bytes at a time.
  let index = (offset + i) / 4
  for (; i + 4 <= out.length; i += 4, index++) {
    const w = wordOf(index)
    out[i] = w & 0xff
    out[i + 1] = (w >>> 8) & 0xff
    out[i + 2] = (w >>> 16) & 0xff
    out[i + 3] = w >>> 24
  }
  // Trailing bytes of a last partial word.
  if (i < out.length) {
    const w = wordOf(index)
    for (let k = 0; i < out.length; i++, k++) out[i] = (w >>> (k * 8)) & 0xff
  }
  return out
}

/** The same range as a Stream of chunks of at most `chunkSize` bytes (1 MiB by default). */
export const deterministicStream = (
  seed: number,
  offset: number,
  length: number,
  chunkSize = 1 << 20
): Stream.Stream<Uint8Array> =>
  Stream.unfold(0, (done) => {
    if (done >= length) return Option.none()
    const size = Math.min(chunkSize, length - done)
    return Option.some([deterministicBytes(seed, offset + done, size), done + size] as const)
  })
