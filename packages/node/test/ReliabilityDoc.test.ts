/**
 * docs/RELIABILITY.md promises that every row's behaviour is proved by a test that runs in
 * `npm test`. Each row names its tests by a file key and a quoted title (a `…` ends a shortened
 * one or a templated value, ` › ` joins a describe block to its test); this checks that every title named is a test
 * of that file, so that a renamed or deleted test cannot leave a row proved by nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")
const doc = readFileSync(join(root, "docs/RELIABILITY.md"), "utf8")

/**
 * `\`core/test/X.test.ts\` (R)` → R → packages/core/test/X.test.ts; the browser's Chromium tests
 * live in `browser/test-chromium/`.
 */
const files = new Map(
  Array.from(
    doc.matchAll(/`([a-z]+\/test(?:-chromium)?\/[\w/.]+\.ts)` \((\w+)\)/g),
    ([, path, key]) => [key!, `packages/${path}`]
  )
)

const testFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === "node_modules") return []
    return statSync(path).isDirectory() ? testFiles(path) : /\.(test|suite)\.ts$/.test(name) ? [path] : []
  })

const allTests = ["core/test", "node/test", "browser/test", "browser/test-chromium"].flatMap((dir) =>
  testFiles(join(root, "packages", dir))
)

interface Citation {
  readonly row: string
  readonly key: string
  readonly title: string
}

/** Every `KEY "title"` in the last cell of every table row. */
const citations: Array<Citation> = doc.split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| ---") && !line.startsWith("| fault"))
  .flatMap((line) => {
    const cells = line.split(" | ")
    const proof = (cells.at(-1) ?? "").replace(/ \|$/, "")
    return proof.split(";").flatMap((segment) => {
      const key = /^\s*([\w/]+)/.exec(segment)?.[1] ?? ""
      return Array.from(segment.matchAll(/"([^"]+)"/g), ([, title]) => ({ row: cells[0]!.slice(2), key, title: title! }))
    })
  })

/**
 * The literal pieces of a cited title: ` › ` separates levels, `…` stands for what is left out
 * (the end of a long title, or a value a templated title fills in).
 */
const pieces = (title: string) =>
  title.replace(/\\\|/g, "|").split(/ › |…/).map((piece) => piece.trim()).filter((piece) => piece.length > 0)

describe("docs/RELIABILITY.md", () => {
  it("cites tests in every row, by keys its legend defines", () => {
    expect(files.size).toBeGreaterThan(10)
    expect(citations.length).toBeGreaterThan(60)
    const unknown = citations.filter(({ key }) => !key.split("/").some((part) => files.has(part)))
    expect(unknown.map(({ key, row }) => `${key} in "${row}"`)).toEqual([])
  })

  it("every cited title is a test in the file its key names", () => {
    const missing = citations.filter(({ key, title }) => {
      const candidates = key.split("/").flatMap((part) => {
        const file = files.get(part)
        return file === undefined ? allTests.filter((path) => path.includes(`/${part}.`)) : [join(root, file)]
      })
      return !candidates.some((file) => {
        const source = readFileSync(file, "utf8")
        return pieces(title).every((piece) => source.includes(piece))
      })
    })
    expect(missing.map(({ key, title }) => `${key} "${title}"`)).toEqual([])
  })
})
