import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as AssetPath from "@dandi-effect/core/AssetPath"

describe("AssetPath.normalizePath", () => {
  // Spec client-behaviour §4.2 test vectors.
  const vectors: ReadonlyArray<readonly [string, string]> = [
    ["subdir", "subdir"],
    ["./subdir", "subdir"],
    ["./subdir2/../sub", "sub"],
    ["subdir/", "subdir/"],
    ["./subdir/", "subdir/"],
    ["../subdir1/", "../subdir1/"],
    ["a/../subdir2", "subdir2"],
    ["./", ""],
    ["", ""],
    ["/", "//"]
  ]
  for (const [input, expected] of vectors) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      expect(AssetPath.normalizePath(input)).toBe(expected)
    })
  }

  it("follows posixpath.normpath on leading slashes and '..' above the root", () => {
    expect(AssetPath.posixNormpath("//a")).toBe("//a")
    expect(AssetPath.posixNormpath("///a//b/")).toBe("/a/b")
    expect(AssetPath.posixNormpath("/../a")).toBe("/a")
    expect(AssetPath.posixNormpath("a/../..")).toBe("..")
  })
})

describe("AssetPath.safeRelativePath", () => {
  it("accepts ordinary asset paths, including spaces and dots inside names", () => {
    expect(AssetPath.safeRelativePath("sub-01/sub-01_ecephys.nwb")).toStrictEqual(Either.right("sub-01/sub-01_ecephys.nwb"))
    expect(AssetPath.safeRelativePath("code/Fig4 Fujimoto_NatNeuro_2026_FCmatrix.m")).toStrictEqual(
      Either.right("code/Fig4 Fujimoto_NatNeuro_2026_FCmatrix.m")
    )
    expect(AssetPath.safeRelativePath("a/.hidden/..name")).toStrictEqual(Either.right("a/.hidden/..name"))
  })


  const rejected: ReadonlyArray<readonly [string, string]> = [
    ["/etc/passwd", "absolute"],
    ["../outside.txt", "'..'"],
    ["a/../../b", "'..'"],
    ["a/..", "'..'"],
    ["a\\..\\b", "backslash"],
    ["a\u0000b", "NUL"],
    ["C:/Windows/x", "drive letter"],
    ["", "names no file"],
    ["./", "names no file"],
    ["a//b", "empty or '.' segment"],
    ["./a", "empty or '.' segment"],
    ["a/b/", "empty or '.' segment"]
  ]
  for (const [path, reason] of rejected) {
    it(`rejects ${JSON.stringify(path)} with an UnsafePathError that says why and what to do`, () => {
      const result = AssetPath.safeRelativePath(path)
      if (Either.isRight(result)) throw new Error(`accepted ${JSON.stringify(path)}`)
      expect(result.left._tag).toBe("UnsafePathError")
      expect(result.left.path).toBe(path)
      expect(result.left.message).toContain(reason)
      expect(result.left.message).toContain("Rename the asset")
    })
  }
})
