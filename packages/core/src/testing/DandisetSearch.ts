/**
 * The `search` parameter of the dandiset listing: free-text terms (accent- and case-insensitive
 * substring of any version's metadata JSON) and `key:value` operators, all ANDed, with the
 * archive's `{"search": "<message>"}` errors.
 *
 * @since 0.1.0
 */
import type { Dandiset, Env } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import * as Metadata from "./Metadata.js"

const OPERATORS = [
  "created_before",
  "created_after",
  "modified_before",
  "modified_after",
  "published_before",
  "published_after",
  "species",
  "approach",
  "technique",
  "file_type",
  "owner"
] as const
type Operator = typeof OPERATORS[number]

export type Term = { readonly _tag: "Text"; readonly text: string } | {
  readonly _tag: "Op"
  readonly op: Operator
  readonly value: string
  readonly date: number | undefined
}

const fold = (text: string): string => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()

/**
 * difflib's `SequenceMatcher(None, a, b).ratio()` (no junk; the strings here are far shorter than
 * its 200-character autojunk threshold): 2 × matched characters / total length, the matches found
 * as difflib finds them (longest block first, earliest in `a`, then recursively either side).
 */
const similarity = (a: string, b: string): number => {
  const positions = new Map<string, Array<number>>()
  for (let j = 0; j < b.length; j++) positions.set(b[j]!, [...(positions.get(b[j]!) ?? []), j])
  const longest = (alo: number, ahi: number, blo: number, bhi: number) => {
    let best = { i: alo, j: blo, size: 0 }
    let runs = new Map<number, number>()
    for (let i = alo; i < ahi; i++) {
      const next = new Map<number, number>()
      for (const j of positions.get(a[i]!) ?? []) {
        if (j < blo) continue
        if (j >= bhi) break
        const k = (runs.get(j - 1) ?? 0) + 1
        next.set(j, k)
        if (k > best.size) best = { i: i - k + 1, j: j - k + 1, size: k }
      }
      runs = next
    }
    return best
  }
  let matched = 0
  const queue: Array<readonly [number, number, number, number]> = [[0, a.length, 0, b.length]]
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!
    const { i, j, size } = longest(alo, ahi, blo, bhi)
    if (size === 0) continue
    matched += size
    if (alo < i && blo < j) queue.push([alo, i, blo, j])
    if (i + size < ahi && j + size < bhi) queue.push([i + size, ahi, j + size, bhi])
  }
  return a.length + b.length === 0 ? 1 : (2 * matched) / (a.length + b.length)
}

/** difflib's `get_close_matches(word, OPERATORS, n=1, cutoff=0.6)`: best score, ties to the larger name. */
const closestOperator = (word: string): string | undefined => {
  let best: { readonly score: number; readonly name: string } | undefined
  for (const name of OPERATORS) {
    const score = similarity(name, word)
    if (score < 0.6) continue
    if (best === undefined || score > best.score || (score === best.score && name > best.name)) best = { score, name }
  }
  return best?.name
}

/** Python's `repr` of a string, as the server quotes a bad date back. */
const pyRepr = (text: string): string => {
  const quote = text.includes("'") && !text.includes("\"") ? "\"" : "'"
  const body = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")
  return `${quote}${quote === "'" ? body.replace(/'/g, "\\'") : body}${quote}`
}

/** `datetime.strptime(value, "%Y-%m-%d")` in UTC: one- or two-digit month and day are accepted. */
const parseSearchDate = (value: string): number | undefined => {
  const match = /^(\d{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])$/.exec(value)
  if (match === null) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3]!.trim())]
  const ms = Date.UTC(year, month - 1, day)
  const date = new Date(ms)
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? ms : undefined
}

const MAX_SEARCH_LENGTH = 1024

/**
 * Parses a query as the server does (dandiapi/api/services/search/parser.py, filters.py), or
 * returns the error message for `{"search": …}`. Only a lower-case `[a-z_]+:` prefix makes an
 * operator; `key:"…"` keeps a quoted value, `"…"` is free text; operator values are stripped and
 * must not be empty. Syntax errors (length, quotes, unknown keys) come before value errors.
 */
export const parse = (query: string): ReadonlyArray<Term> | string => {
  if (query.length > MAX_SEARCH_LENGTH) {
    return `Search query is too long (${query.length} characters; max ${MAX_SEARCH_LENGTH}).`
  }
  if ((query.match(/"/g) ?? []).length % 2 === 1) {
    return "Unbalanced quote in search query. Remove the stray quote, or wrap the intended phrase in matched quotes."
  }
  const texts: Array<Term> = []
  const operators: Array<{ readonly key: string; readonly value: string }> = []
  for (const match of query.matchAll(/([a-z_]+):"([^"]*)"|"([^"]*)"|(\S+)/g)) {
    const [, quotedKey, quotedValue, quotedText, bare] = match
    let key: string | undefined
    let value = ""
    if (quotedKey !== undefined) {
      key = quotedKey
      value = quotedValue!
    } else if (quotedText !== undefined) {
      if (quotedText !== "") texts.push({ _tag: "Text", text: quotedText })
      continue
    } else {
      const op = /^([a-z_]+):([\s\S]+)$/.exec(bare!)
      if (op === null) {
        texts.push({ _tag: "Text", text: bare! })
        continue
      }
      key = op[1]!
      value = op[2]!
    }
    if (!(OPERATORS as ReadonlyArray<string>).includes(key)) {
      const suggestion = closestOperator(key)
      const hint = suggestion === undefined ? "" : ` Did you mean "${suggestion}"?`
      return `Unknown search operator "${key}".${hint} Wrap the term in double quotes (e.g. "foo:bar") to search for it as text.`
    }
    operators.push({ key, value })
  }
  const terms: Array<Term> = [...texts]
  for (const { key, value: raw } of operators) {
    const op = key as Operator
    const value = raw.trim()
    if (value === "") return `Operator "${op}" requires a value (e.g. ${op}:something).`
    let date: number | undefined
    if (op.endsWith("_before") || op.endsWith("_after")) {
      date = parseSearchDate(value)
      if (date === undefined) return `Invalid date for "${op}": ${pyRepr(value)}. Use YYYY-MM-DD.`
    }
    terms.push({ _tag: "Op", op, value, date })
  }
  return terms
}

const FILE_TYPES: Record<string, string> = {
  nwb: "application/x-nwb",
  image: "image/",
  text: "text/",
  video: "video/"
}

const summaryNames = (summary: unknown, key: string): Array<string> => {
  if (typeof summary !== "object" || summary === null) return []
  const list = (summary as Record<string, unknown>)[key]
  return Array.isArray(list)
    ? list.map((x) => (typeof x === "object" && x !== null ? (x as Record<string, unknown>).name : undefined))
      .filter((n): n is string => typeof n === "string")
    : []
}

export const matches = (env: Env, dandiset: Dandiset, terms: ReadonlyArray<Term>): boolean => {
  const state = env.state
  const versions = ArchiveState.allVersions(dandiset)
  const latest = [...versions].sort((a, b) => b.created - a.created)[0]!
  const latestPublished = [...dandiset.published].sort((a, b) => b.created - a.created)[0]
  let texts: Array<string> | undefined
  const facetOps = terms.filter((t): t is Extract<Term, { _tag: "Op" }> =>
    t._tag === "Op" && (t.op === "species" || t.op === "approach" || t.op === "technique")
  )
  if (facetOps.length > 0) {
    const some = versions.some((v) =>
      facetOps.every((t) => {
        const key = t.op === "technique" ? "measurementTechnique" : t.op
        return summaryNames(v.assetsSummary, key).some((n) => n.toLowerCase().includes(t.value.toLowerCase()))
      })
    )
    if (!some) return false
  }
  for (const term of terms) {
    if (term._tag === "Text") {
      texts ??= versions.map((v) => fold(JSON.stringify(Metadata.renderVersion(env, dandiset, v))))
      const needle = fold(term.text)
      if (!texts.some((t) => t.includes(needle))) return false
      continue
    }
    const date = term.date ?? 0
    switch (term.op) {
      case "created_before":
        if (!(dandiset.created < date)) return false
        break
      case "created_after":
        if (!(dandiset.created >= date)) return false
        break
      case "modified_before":
        if (!(latest.modified < date)) return false
        break
      case "modified_after":
        if (!(latest.modified >= date)) return false
        break
      case "published_before":
        if (latestPublished === undefined || !(latestPublished.created < date)) return false
        break
      case "published_after":
        if (latestPublished === undefined || !(latestPublished.created >= date)) return false
        break
      case "file_type": {
        const prefix = FILE_TYPES[term.value.toLowerCase()] ?? term.value.toLowerCase()
        const found = versions.some((v) =>
          ArchiveState.versionAssets(state, v).some((a) => {
            const format = Metadata.renderAsset(env, a).encodingFormat
            return typeof format === "string" && format.toLowerCase().startsWith(prefix)
          })
        )
        if (!found) return false
        break
      }
      case "owner": {
        const needle = term.value.toLowerCase()
        const found = dandiset.owners.some((name) => {
          const user = state.users.get(name)
          if (user === undefined) return false
          const parts = user.name.toLowerCase().split(/\s+/)
          return [user.username.toLowerCase(), user.email.toLowerCase(), user.name.toLowerCase(), ...parts].includes(needle)
        })
        if (!found) return false
        break
      }
      default:
        break
    }
  }
  return true
}
