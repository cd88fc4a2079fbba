/**
 * The glob dialects of the DANDI world, matched exactly as the references match them:
 * {@link fnmatch} is Python's `fnmatch.fnmatchcase` (what dandi-cli uses for zarr entries, and
 * what `RemoteZarrEntry.match` uses per path segment); {@link archiveGlob} is the archive's
 * `glob=` asset filter (`getAssetsByGlob`; the emulator filters with it). Neither throws: a
 * pattern Python would read oddly (`[]a]`, `[!]]`, `[z-a]`, an unclosed `[`) is read the way
 * Python reads it.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/glob.js"

/**
 * Whether a whole name matches a compiled pattern.
 *
 * @since 0.1.0
 * @category models
 */
export type Matcher = internal.Matcher

/**
 * Compiles a pattern with Python's `fnmatch` rules, case-sensitive (`fnmatchcase`): `*` any
 * run of characters (including `/`), `?` one character, `[seq]` / `[!seq]` a set, where a `]`
 * first in the set is literal and a reversed range matches nothing.
 *
 * @example
 * Glob.fnmatch("[!]]*.zarray")("x.zarray") // true
 * Glob.fnmatch("[z-a]")("m") // false
 *
 * @since 0.1.0
 * @category constructors
 */
export const fnmatch: (pattern: string) => Matcher = internal.fnmatch

/**
 * Compiles a pattern as the archive reads `GET …/assets/?glob=`: only `*` is special (any run
 * of characters, `/` included) and case is ignored; the whole path must match.
 *
 * @since 0.1.0
 * @category constructors
 */
export const archiveGlob: (pattern: string) => Matcher = internal.archiveGlob
