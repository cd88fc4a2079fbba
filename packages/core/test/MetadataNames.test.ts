/**
 * An editor shows a value's type as the checker prints it. The big metadata models are named
 * interfaces, so a hover over a `DandisetMetadata` says `DandisetMetadata`, not three screens of
 * expanded Schema fields. The checker is asked exactly what a hover asks it, on the built types.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const metadataTypes = resolve(fileURLToPath(new URL(".", import.meta.url)), "../dist/Metadata.js")

const models = [
  "Person",
  "Organization",
  "Activity",
  "AccessRequirements",
  "AssetsSummary",
  "Participant",
  "Digest",
  "DandisetMetadata",
  "AssetMetadata"
] as const

describe("Metadata's models in an editor", () => {
  it("each big model prints as its own name", () => {
    const dir = mkdtempSync(join(tmpdir(), "dandi-effect-hover-"))
    try {
      const file = join(dir, "hover.ts")
      writeFileSync(
        file,
        `import type * as Metadata from ${JSON.stringify(metadataTypes)}\n` +
          models.map((name) => `export declare const ${name.toLowerCase()}: Metadata.${name}\n`).join("")
      )
      const program = ts.createProgram([file], {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: true
      })
      const checker = program.getTypeChecker()
      const source = program.getSourceFile(file)!
      const printed = source.statements.filter(ts.isVariableStatement).map((statement) => {
        const declaration = statement.declarationList.declarations[0]!
        return checker.typeToString(checker.getTypeAtLocation(declaration.name))
      })
      expect(printed).toEqual([...models])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
