// Builds the API reference (docs/api/, git-ignored) from the JSDoc of every public subpath: the
// entry points are read from each package's `exports` map, so a module is documented exactly
// when it is published. Warnings (a broken {@link}, an exported type the reference cannot
// reach) fail the build, so `npm test` keeps the reference whole.
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { Application, Converter, ReflectionKind } from "typedoc"

const root = join(import.meta.dirname, "..")
const packageDirs = ["packages/core", "packages/node", "packages/browser"]

/** The source file of every public subpath, with the import specifier that reaches it. */
const publicEntries = (packageDir) => {
  const manifest = JSON.parse(readFileSync(join(root, packageDir, "package.json"), "utf8"))
  const entries = []
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const source = target === null ? undefined : typeof target === "string" ? target : target.source
    if (source === undefined || !source.endsWith(".ts")) continue
    const specifier = (stem) => join(manifest.name, subpath, stem).replaceAll("\\", "/")
    if (!subpath.includes("*")) {
      entries.push({ file: join(root, packageDir, source), name: specifier("") })
      continue
    }
    // "./*": "./src/*.ts" publishes every module directly in that folder.
    const [prefix, suffix] = source.split("*")
    const folder = join(root, packageDir, prefix)
    for (const file of readdirSync(folder)) {
      if (!file.endsWith(suffix)) continue
      const stem = file.slice(0, -suffix.length)
      if (stem === "index") continue
      entries.push({ file: join(folder, file), name: specifier(stem).replace("/*", "") })
    }
  }
  return entries
}

const entries = packageDirs.flatMap(publicEntries)
const nameOf = new Map(entries.map(({ file, name }) => [relative(root, file), name]))

const app = await Application.bootstrapWithPlugins({
  name: "dandi-effect",
  entryPoints: entries.map(({ file }) => file),
  entryPointStrategy: "resolve",
  tsconfig: join(root, "tsconfig.docs.json"),
  out: join(root, "docs/api"),
  readme: "none",
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  // `npm run typecheck` has already checked these sources.
  skipErrorChecking: true,
  validation: { notExported: true, invalidLink: true, notDocumented: false }
})

// Name each module by the specifier a user imports it with (`@dandi-effect/core/DandiApi`).
app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
  for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
    const file = module.sources?.[0]?.fullFileName
    const name = file === undefined ? undefined : nameOf.get(relative(root, file))
    if (name !== undefined) module.name = name
  }
})

const project = await app.convert()
if (project === undefined) process.exit(1)
app.validate(project)
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1)
await app.generateDocs(project, join(root, "docs/api"))
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1)
console.log(`API reference for ${entries.length} modules: docs/api/index.html`)
