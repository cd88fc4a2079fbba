/**
 * Every export of the core package's public modules carries `@since` and `@category` in its own
 * JSDoc (the module's header comment does not count), so the API reference stays complete.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const src = fileURLToPath(new URL("../src", import.meta.url))

const isExported = (node: ts.Statement): boolean =>
  ts.isExportDeclaration(node) ||
  (ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword))

const undocumented = (file: string): Array<string> => {
  const text = readFileSync(join(src, file), "utf8")
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const missing: Array<string> = []
  for (const node of source.statements) {
    if (!isExported(node)) continue
    const docs = (node as { jsDoc?: Array<ts.JSDoc> }).jsDoc ?? []
    const own = docs.filter((doc) => doc.pos > 0 || node !== source.statements[0])
    const doc = own[own.length - 1]
    const raw = doc === undefined ? "" : text.slice(doc.pos, doc.end)
    if (!/@since \d+\.\d+\.\d+/.test(raw) || !/@category \S/.test(raw)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
      missing.push(`${file}:${line} ${node.getText(source).split("\n")[0]!.slice(0, 80)}`)
    }
  }
  return missing
}

describe("JSDoc of @dandi-effect/core", () => {
  it("every export of every public module has @since and @category", () => {
    const files = readdirSync(src).filter((file) => file.endsWith(".ts"))
    expect(files.length).toBeGreaterThan(20)
    expect(files.flatMap(undocumented)).toEqual([])
  })
})
