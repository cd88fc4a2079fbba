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
import * as Time from "./Time.js"

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

const levenshtein = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

const unquote = (text: string): string => (text.startsWith("\"") && text.endsWith("\"") && text.length >= 2 ? text.slice(1, -1) : text)

/** Parses a query, or returns the error message for `{"search": …}`. */
export const parse = (query: string): ReadonlyArray<Term> | string => {
  if (query.length > 1024) return `Search query is too long (${query.length} characters; max 1024).`
  if ((query.match(/"/g) ?? []).length % 2 === 1) {
    return "Unbalanced quote in search query. Close every opening double quote, or remove it."
  }
  const tokens = query.match(/[^\s"]+:"[^"]*"|"[^"]*"|\S+/g) ?? []
  const terms: Array<Term> = []
  for (const token of tokens) {
    const colon = token.indexOf(":")
    if (token.startsWith("\"") || colon <= 0) {
      const text = unquote(token)
      if (text !== "") terms.push({ _tag: "Text", text })
      continue
    }
    const key = token.slice(0, colon).toLowerCase()
    const value = unquote(token.slice(colon + 1))
    if (!(OPERATORS as ReadonlyArray<string>).includes(key)) {
      const suggestion = [...OPERATORS].sort((a, b) => levenshtein(key, a) - levenshtein(key, b))[0]!
      const hint = levenshtein(key, suggestion) <= 2 ? ` Did you mean "${suggestion}"?` : ""
      return `Unknown search operator "${key}".${hint} Wrap the term in double quotes (e.g. "foo:bar") to search for it as text.`
    }
    const op = key as Operator
    if (value === "") return `Operator "${op}" requires a value (e.g. ${op}:something).`
    let date: number | undefined
    if (op.endsWith("_before") || op.endsWith("_after")) {
      date = Time.parseDate(value)
      if (date === undefined) return `Invalid date for "${op}": '${value}'. Use YYYY-MM-DD.`
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
