/**
 * Glob matching, in the two dialects the archive world uses:
 *
 * - fnmatch: Python's `fnmatch.fnmatchcase` (dandi-cli's zarr entry `match`): `*`, `?`,
 *   `[seq]`, `[!seq]`, with Python's reading of brackets — a `]` first in a set is literal, a set
 *   without a closing `]` is a literal `[`, a reversed range such as `z-a` is dropped (so `[z-a]`
 *   matches nothing), and the other quirks of `fnmatch.translate`.
 * - archive: the server's `glob=` asset filter: only `*` is special (it spans `/`) and the
 *   comparison ignores case.
 *
 * Patterns compile to a list of single-character tokens and stars, matched by a linear
 * backtracking scan, never to a JavaScript RegExp (whose `[]`, `[^]` and ranges read brackets
 * differently, and which throws on a reversed range).
 */

type Token = { readonly _tag: "Star" } | { readonly _tag: "One"; readonly accepts: (codePoint: number) => boolean }

const STAR: Token = { _tag: "Star" }

const one = (accepts: (codePoint: number) => boolean): Token => ({ _tag: "One", accepts })

const codePoint = (char: string): number => char.codePointAt(0)!

/** Matches a whole name against compiled tokens; every `One` consumes exactly one code point. */
const run = (tokens: ReadonlyArray<Token>, name: string): boolean => {
  const chars = Array.from(name, codePoint)
  let t = 0
  let c = 0
  let starAt = -1
  let resumeAt = 0
  while (c < chars.length) {
    const token = tokens[t]
    if (token !== undefined && token._tag === "One" && token.accepts(chars[c]!)) {
      t++
      c++
    } else if (token !== undefined && token._tag === "Star") {
      starAt = t++
      resumeAt = c
    } else if (starAt >= 0) {
      t = starAt + 1
      c = ++resumeAt
    } else {
      return false
    }
  }
  while (tokens[t]?._tag === "Star") t++
  return t === tokens.length
}

/**
 * The body of a Python regular-expression set, as `fnmatch.translate` writes it for the
 * characters between `[` and `]` (Python 3.11+): backslashes and in-chunk hyphens escaped, the
 * hyphens that make ranges kept, and reversed ranges removed together with both their ends.
 */
const pythonSetBody = (chars: ReadonlyArray<string>): ReadonlyArray<string> => {
  const escape = (chunk: ReadonlyArray<string>): Array<string> =>
    chunk.flatMap((ch) => (ch === "\\" || ch === "-" || ch === "&" || ch === "~" || ch === "|" ? ["\\", ch] : [ch]))
  if (!chars.includes("-")) return escape(chars)
  const chunks: Array<Array<string>> = []
  let start = 0
  let from = chars[0] === "!" ? 2 : 1
  for (;;) {
    const hyphen = chars.indexOf("-", from)
    if (hyphen < 0) break
    chunks.push(chars.slice(start, hyphen))
    start = hyphen + 1
    from = hyphen + 3
  }
  const last = chars.slice(start)
  if (last.length > 0) chunks.push(last)
  else chunks[chunks.length - 1]!.push("-")
  for (let k = chunks.length - 1; k > 0; k--) {
    const before = chunks[k - 1]!
    const after = chunks[k]!
    if (before[before.length - 1]! > after[0]!) {
      chunks[k - 1] = [...before.slice(0, -1), ...after.slice(1)]
      chunks.splice(k, 1)
    }
  }
  return chunks.flatMap((chunk, k) => (k === 0 ? escape(chunk) : ["-", ...escape(chunk)]))
}

/** How Python's `re` reads a set body: `^` negates, a first `]` is literal, `a-b` is a range. */
const pythonSet = (body: ReadonlyArray<string>): Token => {
  if (body.length === 0) return one(() => false)
  if (body.length === 1 && body[0] === "!") return one(() => true)
  let items = [...body]
  let negated = false
  if (items[0] === "!") {
    negated = true
    items = items.slice(1)
  }
  // (`translate` escapes a leading `^` or `[`; both then read as literals, as below.)
  const ranges: Array<readonly [number, number]> = []
  let i = 0
  const next = (): number => {
    const ch = items[i++]!
    return ch === "\\" ? codePoint(items[i++]!) : codePoint(ch)
  }
  while (i < items.length) {
    const low = next()
    if (items[i] === "-" && i + 1 < items.length) {
      i++
      const high = next()
      // Python would refuse the pattern; `translate` never writes one, so this only keeps
      // an impossible input from matching anything.
      if (low > high) return one(() => false)
      ranges.push([low, high])
    } else {
      ranges.push([low, low])
    }
  }
  const inSet = (cp: number) => ranges.some(([low, high]) => cp >= low && cp <= high)
  return one(negated ? (cp) => !inSet(cp) : inSet)
}

/** Compiles a Python fnmatch pattern. */
const fnmatchTokens = (pattern: string): ReadonlyArray<Token> => {
  const chars = Array.from(pattern)
  const tokens: Array<Token> = []
  let i = 0
  while (i < chars.length) {
    const ch = chars[i++]!
    if (ch === "*") {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR)
    } else if (ch === "?") {
      tokens.push(one(() => true))
    } else if (ch === "[") {
      let j = i
      if (chars[j] === "!") j++
      if (chars[j] === "]") j++
      while (j < chars.length && chars[j] !== "]") j++
      if (j >= chars.length) {
        tokens.push(literal("["))
      } else {
        tokens.push(pythonSet(pythonSetBody(chars.slice(i, j))))
        i = j + 1
      }
    } else {
      tokens.push(literal(ch))
    }
  }
  return tokens
}

const literal = (ch: string): Token => {
  const expected = codePoint(ch)
  return one((cp) => cp === expected)
}

const foldedLiteral = (ch: string): Token => {
  const lower = ch.toLowerCase()
  const upper = ch.toUpperCase()
  return one((cp) => {
    const c = String.fromCodePoint(cp)
    return c === ch || c.toLowerCase() === lower || c.toUpperCase() === upper
  })
}

/** A compiled pattern: whether a whole name matches it. */
export type Matcher = (name: string) => boolean

/** Python's `fnmatch.fnmatchcase(name, pattern)`, compiled once for many names. */
export const fnmatch = (pattern: string): Matcher => {
  const tokens = fnmatchTokens(pattern)
  return (name) => run(tokens, name)
}

/** The archive's `glob=` asset filter: `*` matches any run of characters, case is ignored. */
export const archiveGlob = (pattern: string): Matcher => {
  const tokens: Array<Token> = []
  for (const ch of Array.from(pattern)) {
    if (ch !== "*") tokens.push(foldedLiteral(ch))
    else if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR)
  }
  return (name) => run(tokens, name)
}
