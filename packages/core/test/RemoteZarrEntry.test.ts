import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { RemoteZarrEntry } from "@dandi-effect/core/RemoteZarrEntry"

const entry = (key: string) =>
  RemoteZarrEntry.fromWire("http://api.test/api", "zarr-1", {
    Key: key,
    LastModified: "2024-05-01 14:03:22.123000+00:00",
    ETag: "\"0cc175b9c0f1b6a831c399e269772661\"",
    Size: 1
  })

const matches = (key: string, pattern: string) => Either.getOrThrow(entry(key).match(pattern))

describe("RemoteZarrEntry path parts", () => {
  it("splits the key and rebuilds it", () => {
    const e = entry("0/1/.zarray")
    expect(e.parts).toEqual(["0", "1", ".zarray"])
    expect(String(e)).toBe("0/1/.zarray")
    expect(e.name).toBe(".zarray")
  })

  it("follows PurePosixPath suffix rules", () => {
    expect(entry("d/a.tar.gz").suffix).toBe(".gz")
    expect(entry("d/a.tar.gz").suffixes).toEqual([".tar", ".gz"])
    expect(entry("d/a.tar.gz").stem).toBe("a.tar")
    // a dotfile has no suffix
    expect(entry("d/.zattrs").suffix).toBe("")
    expect(entry("d/.zattrs").suffixes).toEqual([])
    expect(entry("d/.zattrs").stem).toBe(".zattrs")
    // a trailing dot is no suffix either
    expect(entry("d/foo.").suffix).toBe("")
    expect(entry("d/foo.").suffixes).toEqual([])
    expect(entry("d/foo.").stem).toBe("foo.")
    expect(entry("d/plain").suffix).toBe("")
    expect(entry("d/plain").stem).toBe("plain")
  })

  it("reports the md5 digest with quotes stripped, and the size", () => {
    const e = entry("0/0")
    expect(e.digest).toEqual({ algorithm: "dandi:md5", value: "0cc175b9c0f1b6a831c399e269772661" })
    expect(e.size).toBe(1)
    expect(e.modifiedAt.toISOString()).toBe("2024-05-01T14:03:22.123Z")
  })

  it("builds the zarr file download URL with the key as prefix", () => {
    const url = entry("0/1/.zarray").downloadUrl
    expect(url.startsWith("http://api.test/api/zarr/zarr-1/files/?")).toBe(true)
    const query = new URLSearchParams(url.slice(url.indexOf("?") + 1))
    expect(query.get("prefix")).toBe("0/1/.zarray")
    expect(query.get("download")).toBe("true")
  })
})

describe("RemoteZarrEntry.match", () => {
  it("compares segments from the right", () => {
    expect(matches("a/b/.zarray", ".zarray")).toBe(true)
    expect(matches("a/b/.zarray", "b/.zarray")).toBe(true)
    expect(matches("a/b/.zarray", "a/b/.zarray")).toBe(true)
    expect(matches("a/b/.zarray", "a/.zarray")).toBe(false)
    expect(matches("a/b/.zarray", "x/a/b/.zarray")).toBe(false)
  })

  it("supports *, ?, [seq] and [!seq] within a segment, case-sensitively", () => {
    expect(matches("a/b/.zarray", "*.zarray")).toBe(true)
    expect(matches("a/b/.zarray", "*/*")).toBe(true)
    expect(matches("data/0.1", "?.?")).toBe(true)
    expect(matches("data/0.1", "[0-3].[!2]")).toBe(true)
    expect(matches("data/0.2", "[0-3].[!2]")).toBe(false)
    expect(matches("data/x.1", "[0-3].*")).toBe(false)
    expect(matches("Data/x", "data/x")).toBe(false)
    // `*` never crosses a segment boundary
    expect(matches("a/b/c", "a*c")).toBe(false)
    // regex metacharacters are literal
    expect(matches("a/b+c", "b+c")).toBe(true)
    expect(matches("a/bbc", "b+c")).toBe(false)
    // an unclosed bracket is a literal bracket
    expect(matches("a/[x", "[x")).toBe(true)
    // empty segments of the pattern are ignored
    expect(matches("a/b", "a//b/")).toBe(true)
  })

  it("rejects absolute patterns with a message that says what to give instead", () => {
    const result = entry("a/b").match("/a/b")
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("InvalidPatternError")
      expect(result.left.message).toContain("Absolute paths not allowed")
      expect(result.left.message).toContain("relative")
    }
  })

  it("rejects empty patterns", () => {
    for (const pattern of ["", "/", "//"]) {
      const result = entry("a/b").match(pattern)
      expect(Either.isLeft(result)).toBe(true)
    }
    const empty = entry("a/b").match("")
    if (Either.isLeft(empty)) expect(empty.left.message).toContain("Empty pattern")
  })
})
