/**
 * The text of every error message the packages write: no doubled full stop, no space before a
 * stop, no leading or trailing white space, and no interpolated message, reason or detail
 * followed by a stop of our own unless its own final stop is removed first (a Node or browser
 * error message often ends with one). It reads the `message:` of every object literal in the
 * sources (the tagged errors' constructors), literal parts and interpolations alike.
 */
import { describeCause } from "@dandi-effect/core/DandiError"
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

/** Text that interpolates another message: it may end with its own full stop. */
const foreignText = /\b(message|reason|detail|cause)\b/i
/** What strips a final stop from it first. */
const stripped = /replace\(\/\[\\s.\]\+\$\/|describeCause|withDetail/

type Piece = { readonly text: string } | { readonly expression: string }

/** The literal text and the interpolations of a message expression, in order. */
const pieces = (node: ts.Expression, source: ts.SourceFile): Array<Piece> => {
  if (ts.isParenthesizedExpression(node)) return pieces(node.expression, source)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ text: node.text }]
  if (ts.isTemplateExpression(node)) {
    return [
      { text: node.head.text },
      ...node.templateSpans.flatMap((span) => [{ expression: span.expression.getText(source) }, { text: span.literal.text }])
    ]
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...pieces(node.left, source), ...pieces(node.right, source)]
  }
  if (ts.isConditionalExpression(node)) return [...pieces(node.whenTrue, source), { text: "" }, ...pieces(node.whenFalse, source)]
  return [{ expression: node.getText(source) }]
}

const problemsOf = (pieceList: ReadonlyArray<Piece>): Array<string> => {
  const problems: Array<string> = []
  pieceList.forEach((piece, index) => {
    if ("text" in piece) {
      if (/(?<!\.)\.\.(?!\.)/.test(piece.text)) problems.push("doubled full stop")
      if (/ \.(\s|$)/.test(piece.text)) problems.push("space before a full stop")
      if (/[ \t]\n/.test(piece.text)) problems.push("trailing space on a line")
      return
    }
    const next = pieceList[index + 1]
    if (next !== undefined && "text" in next && next.text.startsWith(".") && !next.text.startsWith("..")) {
      if (foreignText.test(piece.expression) && !stripped.test(piece.expression)) {
        problems.push(`\${${piece.expression}} may end with its own full stop`)
      }
    }
  })
  const first = pieceList[0]
  const last = pieceList[pieceList.length - 1]
  if (first !== undefined && "text" in first && /^\s/.test(first.text)) problems.push("leading white space")
  if (last !== undefined && "text" in last && /\s$/.test(last.text)) problems.push("trailing white space")
  return problems
}

const messageProblems = (path: string): Array<string> => {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true)
  const found: Array<string> = []
  const visit = (node: ts.Node) => {
    if (
      ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === "message" &&
      ts.isObjectLiteralExpression(node.parent)
    ) {
      for (const problem of problemsOf(pieces(node.initializer, source))) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
        found.push(`${relative(root, path)}:${line}: ${problem}`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe("message text", () => {
  it("the scan sees the faults it looks for (it can fail)", () => {
    const sample = (text: string) => {
      const source = ts.createSourceFile("x.ts", `const x = ${text}`, ts.ScriptTarget.Latest, true)
      const statement = source.statements[0] as ts.VariableStatement
      return problemsOf(pieces(statement.declarationList.declarations[0]!.initializer!, source))
    }
    expect(sample("`Set ${v}.. Then retry.`")).toEqual(["doubled full stop"])
    expect(sample("\"Retry later. \"")).toEqual(["trailing white space"])
    expect(sample("`Cannot read it: ${cause.message}. Check it.`")).toEqual(["${cause.message} may end with its own full stop"])
    expect(sample("`Cannot read it: ${cause.message.replace(/[\\s.]+$/, \"\")}. Check it.`")).toEqual([])
    expect(sample("\"Wait for it... then retry.\"")).toEqual([])
  })

  it("describeCause quotes a foreign failure without its final full stop", () => {
    expect(`Cannot read a.nwb: ${describeCause(new Error("The file could not be read. "))}.`).toBe("Cannot read a.nwb: The file could not be read.")
    expect(describeCause({ message: "EACCES: permission denied, open 'a'" })).toBe("EACCES: permission denied, open 'a'")
    expect(describeCause("The specified key does not exist.")).toBe("The specified key does not exist")
  })

  it("no message in the packages' sources has a doubled full stop or stray white space", () => {
    const files = ["core", "node", "browser"].flatMap((pkg) => sourcesUnder(join(root, "packages", pkg, "src")))
    expect(files.length).toBeGreaterThan(100)
    expect(files.flatMap(messageProblems)).toEqual([])
  })
})
