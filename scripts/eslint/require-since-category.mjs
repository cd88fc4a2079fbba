// ESLint rule: every export of a package's sources carries a JSDoc block with `@since` (the
// version that introduced it) and, for declarations, `@category` (the group the API reference
// files it under). A barrel entry (`export * as X from "./X.js"`) needs `@since` only, as in
// Effect's own index files.

const jsdocBefore = (sourceCode, node) => {
  const comments = sourceCode.getCommentsBefore(node)
  const last = comments[comments.length - 1]
  if (last === undefined || last.type !== "Block" || !last.value.startsWith("*")) return undefined
  // The block that opens the file documents the module, not the export that happens to follow it.
  return sourceCode.getAllComments()[0] === last && last.range[0] === 0 ? undefined : last.value
}

const exportedName = (node) => {
  if (node.type === "ExportAllDeclaration") return node.exported?.name ?? node.exported?.value ?? "*"
  if (node.type === "ExportDefaultDeclaration") return "default"
  const declaration = node.declaration
  if (declaration === null || declaration === undefined) {
    return node.specifiers.map((s) => s.exported.name ?? s.exported.value).join(", ")
  }
  if (declaration.type === "VariableDeclaration") {
    return declaration.declarations.map((d) => (d.id.type === "Identifier" ? d.id.name : "…")).join(", ")
  }
  return declaration.id?.name ?? "…"
}

export default {
  meta: {
    type: "suggestion",
    docs: { description: "Require @since and @category JSDoc on every export" },
    schema: [],
    messages: {
      missingDoc: "Export `{{name}}` has no JSDoc block; add one with @since and @category.",
      missingTag: "The JSDoc of export `{{name}}` has no {{tag}}."
    }
  },
  create(context) {
    const sourceCode = context.sourceCode
    const check = (node, tags) => {
      // A type-only re-export documents nothing new.
      if (node.exportKind === "type" && node.source) return
      const name = exportedName(node)
      const doc = jsdocBefore(sourceCode, node)
      if (doc === undefined) {
        context.report({ node, messageId: "missingDoc", data: { name } })
        return
      }
      for (const tag of tags) {
        if (!new RegExp(`${tag}\\s+\\S`).test(doc)) context.report({ node, messageId: "missingTag", data: { name, tag } })
      }
    }
    return {
      ExportNamedDeclaration: (node) => check(node, ["@since", "@category"]),
      ExportDefaultDeclaration: (node) => check(node, ["@since", "@category"]),
      ExportAllDeclaration: (node) => check(node, ["@since"])
    }
  }
}
