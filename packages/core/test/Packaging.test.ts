/**
 * The packages as a user installs them: every exported subpath of every package loads on its own
 * in a fresh Node process (from the built dist/, as `npm test` builds it first), internals are not
 * exported, every public module is, and no package's sources have an import cycle.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import madge from "madge"

const run = promisify(execFile)
const root = fileURLToPath(new URL("../../..", import.meta.url))
const packages = ["core", "node", "browser"] as const

interface Manifest {
  readonly name: string
  readonly exports: Readonly<Record<string, unknown>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
}

/** What the application provides once, as Effect's own integration packages declare it. */
const peers: Readonly<Record<string, ReadonlyArray<string>>> = {
  core: ["effect", "@effect/platform"],
  node: ["effect", "@effect/platform", "@effect/platform-node"],
  browser: ["effect", "@effect/platform", "@effect/platform-browser"]
}

const manifest = (pkg: string): Manifest => JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8"))

/** Modules that are entry scripts, not importable API (they run a program when loaded). */
const scripts: Readonly<Record<string, ReadonlyArray<string>>> = { node: ["bin.ts", "cli/"] }

const sourceModules = (pkg: string): Array<string> => {
  const src = join(root, "packages", pkg, "src")
  const found: Array<string> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts")) found.push(relative(src, path))
    }
  }
  walk(src)
  return found
}

/** Specifiers of every exported subpath (`.` included), skipping `null` (blocked) entries. */
const exportedSpecifiers = (pkg: string): Array<string> => {
  const { exports, name } = manifest(pkg)
  return Object.entries(exports)
    .filter(([, target]) => target !== null)
    .map(([subpath]) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`))
}

const importAlone = async (specifier: string): Promise<string | undefined> => {
  try {
    await run(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)})`], {
      cwd: root,
      timeout: 60_000
    })
    return undefined
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error)
    return `${specifier}: ${stderr.split("\n").filter((line) => /Error|error/.test(line)).slice(0, 2).join(" | ")}`
  }
}

/** Runs `task` over `items`, `limit` at a time (the machine is shared: two cores). */
const pool = async <A, B>(items: ReadonlyArray<A>, limit: number, task: (item: A) => Promise<B>): Promise<Array<B>> => {
  const results: Array<B> = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

describe("package exports", () => {
  for (const pkg of packages) {
    it(`${pkg}: no wildcard subpaths; internals blocked`, () => {
      const { exports } = manifest(pkg)
      const keys = Object.keys(exports)
      expect(keys.filter((key) => key.includes("*") && exports[key] !== null)).toEqual([])
      expect(exports["./internal/*"]).toBeNull()
    })

    it(`${pkg}: Effect and the platform are peer dependencies on the 3.x line, never bundled dependencies`, () => {
      const { dependencies = {}, peerDependencies = {} } = manifest(pkg)
      for (const name of peers[pkg]!) {
        expect(dependencies[name], `${name} in dependencies`).toBeUndefined()
        expect(peerDependencies[name], `${name} in peerDependencies`).toMatch(/^\^\d/)
      }
      expect(peerDependencies["effect"]).toMatch(/^\^3\./)
    })

    it(`${pkg}: every public module has its own subpath`, () => {
      const { exports } = manifest(pkg)
      const skipped = scripts[pkg] ?? []
      const expected = sourceModules(pkg)
        .filter((file) => !file.startsWith("internal/") && !skipped.some((s) => file === s || file.startsWith(s)))
        .map((file) => file.slice(0, -3))
        .map((module) => module === "index" ? "." : `./${module.replace(/\/index$/, "")}`)
      expect(expected.filter((subpath) => !(subpath in exports))).toEqual([])
    })
  }

  it("every exported subpath of every package loads first, alone, in a fresh Node process", async () => {
    for (const pkg of packages) {
      expect(existsSync(join(root, "packages", pkg, "dist", "index.js")), `packages/${pkg}/dist is missing: run npm run build`)
        .toBe(true)
    }
    const specifiers = packages.flatMap(exportedSpecifiers)
    expect(specifiers.length).toBeGreaterThan(50)
    const failures = (await pool(specifiers, 2, importAlone)).filter((failure) => failure !== undefined)
    expect(failures).toEqual([])
  }, 300_000)

  it("an internal module cannot be imported from outside the package", async () => {
    const failure = await importAlone("@dandi-effect/core/internal/retry")
    expect(failure).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
  }, 60_000)
})

describe("import cycles", () => {
  for (const pkg of packages) {
    it(`${pkg}: the sources have no import cycle`, async () => {
      const graph = await madge(join(root, "packages", pkg, "src"), {
        fileExtensions: ["ts"],
        tsConfig: join(root, "tsconfig.base.json"),
        // `import type` is erased from the JavaScript (verbatimModuleSyntax), so it cannot make a
        // module read another before it has initialised; every other import counts.
        detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } }
      })
      expect(Object.keys(graph.obj()).length).toBeGreaterThan(3)
      expect(graph.circular()).toEqual([])
    }, 120_000)
  }
})
