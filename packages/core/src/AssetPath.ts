/**
 * Asset path helpers: the normalisation dandi-cli applies before path queries, and the guard
 * every local write goes through, so that a hostile listing cannot write outside its target.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { UnsafePathError } from "./DandiError.js"

/**
 * POSIX `normpath`, as Python's `posixpath.normpath` computes it: drops `.` and empty segments,
 * folds `name/..`, keeps leading `..` of a relative path, and keeps exactly two leading slashes
 * (POSIX leaves `//` implementation-defined) while collapsing one or three-plus to one.
 *
 * @since 0.1.0
 * @category utils
 */
export const posixNormpath = (path: string): string => {
  if (path === "") return "."
  const leadingSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0
  const segments: Array<string> = []
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue
    const last = segments[segments.length - 1]
    if (segment !== "..") segments.push(segment)
    else if (last !== undefined && last !== "..") segments.pop()
    else if (leadingSlashes === 0) segments.push(segment)
    // ".." above the root of an absolute path stays at the root.
  }
  const joined = "/".repeat(leadingSlashes) + segments.join("/")
  return joined === "" ? "." : joined
}

/**
 * dandi-cli's `_normalize_path`, used before asset path queries: `normpath`, `"."` becomes `""`,
 * and a trailing `/` of the input is kept (it selects a folder). Quirk kept on purpose: `"/"`
 * becomes `"//"`.
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizePath = (path: string): string => {
  const normalised = posixNormpath(path)
  if (normalised === ".") return ""
  return path.endsWith("/") ? `${normalised}/` : normalised
}

const unsafe = (path: string, why: string) =>
  Either.left(
    new UnsafePathError({
      message: `Refusing to write ${JSON.stringify(path)}: ${why}. Rename the asset on the archive, or download it by asset id to a path you choose.`,
      path
    })
  )

/**
 * Checks that an asset path (from a listing or from the user) is safe to join under a local
 * directory. Rejects: empty paths, absolute paths (`/x`, `C:…`), `..` segments, empty or `.`
 * segments (`a//b`, `./a`, a trailing `/` — the archive's path grammar has none, so a listing
 * with one is corrupt or hostile), backslashes (a separator on Windows) and NUL bytes.
 *
 * @since 0.1.0
 * @category utils
 */
export const safeRelativePath = (path: string): Either.Either<string, UnsafePathError> => {
  if (path.includes("\u0000")) return unsafe(path, "it contains a NUL byte")
  if (path.includes("\\")) return unsafe(path, "it contains a backslash, which is a directory separator on Windows")
  if (path.startsWith("/")) return unsafe(path, "it is absolute")
  if (/^[A-Za-z]:/.test(path)) return unsafe(path, "it starts with a drive letter")
  const segments = path.split("/")
  if (segments.includes("..")) return unsafe(path, "it has a '..' segment that would leave the target directory")
  if (segments.every((segment) => segment === "" || segment === ".")) return unsafe(path, "it names no file")
  if (segments.some((segment) => segment === "" || segment === ".")) {
    return unsafe(path, "it has an empty or '.' segment, which no archive path has")
  }
  return Either.right(path)
}

/**
 * The longest asset path the archive stores.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_ARCHIVE_PATH_LENGTH = 512

// The archive's own rule (dandi-archive's asset path validator): characters from ASCII letters,
// digits, whitespace, `( ) , & # + ~ _ = -` and the punctuation inside the `A-z` range
// (`[ \ ] ^` and backtick); a `.` only immediately before another allowed character; `/` between
// non-empty segments.
const archiveChar = "[A-z0-9(),&#+~_=\\- \\t\\n\\r\\f\\v]"
const archiveSegment = `(?:${archiveChar}|\\.(?=${archiveChar}))+`
const archivePathPattern = new RegExp(`^${archiveSegment}(?:/${archiveSegment})*$`)

const refusedPath = (path: string, rule: string) =>
  Either.left(
    new UnsafePathError({
      message: `The archive refuses the asset path ${JSON.stringify(path)}: ${rule}. Rename the file (or choose another asset path) and upload again.`,
      path
    })
  )

/**
 * Checks an asset path against the archive's path grammar before anything is sent, so that an
 * upload is refused locally with the rule it breaks instead of after its bytes went up. Accepts
 * exactly what the server accepts: ASCII letters and digits, spaces, `(),&#+~_=-` (and the
 * `[\]^` and backtick of the `A-z` range), single dots inside names, `/` between non-empty
 * segments, at most 512 characters.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkArchivePath = (path: string): Either.Either<string, UnsafePathError> => {
  if (path.length === 0) return refusedPath(path, "it is empty")
  if (path.startsWith("/")) return refusedPath(path, "it must not begin with /")
  if (path.length > MAX_ARCHIVE_PATH_LENGTH) {
    return refusedPath(path, `it is longer than ${MAX_ARCHIVE_PATH_LENGTH} characters`)
  }
  const segments = path.split("/")
  if (segments.some((segment) => segment === "")) return refusedPath(path, "it has an empty segment (// or a trailing /)")
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return refusedPath(path, "it has a '.' or '..' segment")
  }
  const foreign = [...path].find((char) => !new RegExp(`^(?:${archiveChar}|[./])$`).test(char))
  if (foreign !== undefined) {
    return refusedPath(
      path,
      `it contains ${JSON.stringify(foreign)}; only ASCII letters, digits, spaces, single dots inside names and (),&#+~_=- are allowed`
    )
  }
  if (!archivePathPattern.test(path)) {
    return refusedPath(path, "a '.' may only stand inside a name, before a letter, digit or allowed symbol (no '..', no name ending in '.')")
  }
  return Either.right(path)
}
