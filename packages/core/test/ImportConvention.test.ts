/**
 * One import convention, Effect's own: every public module is a namespace holding its service
 * tag and its constructors and layers as module-level exports (`Hasher.layerPortable`,
 * `TokenStore.layerMemory`, `DandiApi.layer(…)`), never statics on the tag class. What users read
 * (the README's code and examples/) imports a module as a namespace, `import * as X from
 * "@dandi-effect/core/X"` or `import { X } from "@dandi-effect/core"`, so `X.X` is always the
 * tag and `X.layer` always the layer.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = fileURLToPath(new URL("../../..", import.meta.url))

const sourcesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourcesUnder(path) : entry.name.endsWith(".ts") ? [path] : []
  })

/** `class X extends Context.Tag(…)<…>() { … }` (or `Context.Reference`) with members in its body. */
const tagsWithMembers = (path: string): Array<string> => {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true)
  const found: Array<string> = []
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node)) {
      const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]
      if (base !== undefined && /^Context\.(Tag|Reference)\b/.test(base.expression.getText(source)) && node.members.length > 0) {
        found.push(`${relative(root, path)}: ${node.name?.text ?? "(anonymous)"} has ${node.members.map((member) => member.name?.getText(source) ?? "?").join(", ")}`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Root barrels, whose members are module namespaces; a named import from them is a namespace. */
const barrels = new Set(["@dandi-effect/core", "@dandi-effect/core/testing", "@dandi-effect/node", "@dandi-effect/browser"])

/** Imports of a subpath module by name (`import { DandiApi } from "@dandi-effect/core/DandiApi"`). */
const namedSubpathImports = (name: string, text: string): Array<string> => {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)
  return source.statements.flatMap((statement) => {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return []
    const specifier = statement.moduleSpecifier.text
    if (!specifier.startsWith("@dandi-effect/") || barrels.has(specifier)) return []
    const bindings = statement.importClause?.namedBindings
    return bindings !== undefined && ts.isNamespaceImport(bindings) ? [] : [`${name}: ${statement.getText(source)}`]
  })
}

describe("one import convention", () => {
  it("no service tag carries statics: constructors and layers are module exports", () => {
    const files = ["core", "node", "browser"].flatMap((pkg) => sourcesUnder(join(root, "packages", pkg, "src")))
    expect(files.length).toBeGreaterThan(100)
    expect(files.flatMap(tagsWithMembers)).toEqual([])
  })

  it("the README's code and the examples import every subpath module as a namespace", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match, index) => [`README block ${index + 1}`, match[1]!] as const)
    const examples = readdirSync(join(root, "examples"))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => [`examples/${file}`, readFileSync(join(root, "examples", file), "utf8")] as const)
    expect(blocks.length).toBeGreaterThanOrEqual(3)
    expect(examples.length).toBeGreaterThanOrEqual(4)
    expect([...blocks, ...examples].flatMap(([name, text]) => namedSubpathImports(name, text))).toEqual([])
  })
})
