/**
 * The packages as a user installs them: every exported subpath of every package loads on its own
 * in a fresh Node process (from the built dist/, as `npm test` builds it first), internals are not
 * exported, every public module is, and no package's sources have an import cycle.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
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

/**
 * The emulator's public face: the modules `@dandi-effect/core/testing` re-exports (its README
 * section and index.ts say what each is for). The other modules under testing/ are the
 * emulator's inside (routes, state, representations) and are not published.
 */
const publicTesting = (): Array<string> =>
  [...readFileSync(join(root, "packages/core/src/testing/index.ts"), "utf8").matchAll(/^export \* as (\w+) from "\.\/(\w+)\.js"$/gm)]
    .map((match) => match[2]!)

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
        .filter((file) => !file.startsWith("testing/") || publicTesting().includes(file.slice("testing/".length, -3)) || file === "testing/index.ts")
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

  it("core publishes exactly the testing modules its testing entry point re-exports; the emulator's inside is blocked", async () => {
    const { exports } = manifest("core")
    const published = Object.keys(exports)
      .filter((subpath) => subpath.startsWith("./testing/") && exports[subpath] !== null)
      .map((subpath) => subpath.slice("./testing/".length))
    expect(publicTesting().length).toBeGreaterThan(5)
    expect(published.sort()).toEqual(publicTesting().sort())
    expect(exports["./testing"]).not.toBeNull()
    expect(exports["./testing/*"]).toBeNull()
    const inside = sourceModules("core").filter((file) => file.startsWith("testing/") && file !== "testing/index.ts")
      .map((file) => file.slice("testing/".length, -3))
      .filter((module) => !publicTesting().includes(module))
    expect(inside.length).toBeGreaterThan(5)
    expect(await importAlone(`@dandi-effect/core/testing/${inside[0]}`)).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
  }, 60_000)
})

/**
 * Import cycles, seen two ways. What Node loads is the built JavaScript (dist/): there TypeScript
 * has erased every `import type`, and kept `import { type X }` as a real `import {}` (the
 * projects use verbatimModuleSyntax), so a cycle in dist/ is one that can make a module read
 * another before it has initialised (issue: `Cannot access 'pyRepr' before initialization`).
 * The sources are checked with every import counted, types too: a cycle of types is still two
 * modules that cannot be understood (or moved) one without the other. There must be none of
 * either. (Records carry the wire-level backend of the client that made them, and the transfer
 * services name what they need of records by structural interfaces, so neither side names the
 * other.)
 */
const cycles = async (files: ReadonlyArray<string>, base: string): Promise<Array<string>> => {
  const graph = await madge([...files], {
    baseDir: base,
    fileExtensions: ["ts", "js"],
    tsConfig: join(root, "tsconfig.base.json"),
    detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } }
  })
  return graph.circular().map((cycle) => {
    // One spelling per cycle: start at its alphabetically first module, extension dropped.
    const names = cycle.map((file) => relative(base, join(base, file)).replace(/\.(ts|js)$/, ""))
    const first = names.indexOf([...names].sort()[0]!)
    return [...names.slice(first), ...names.slice(0, first)].join(" -> ")
  }).sort()
}

describe("import cycles", () => {
  it("the check finds a cycle of values and a cycle of types (it can fail)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dandi-effect-cycles-"))
    try {
      writeFileSync(join(dir, "a.js"), "import { b } from \"./b.js\"\nexport const a = () => b\n")
      writeFileSync(join(dir, "b.js"), "import { a } from \"./a.js\"\nexport const b = () => a\n")
      writeFileSync(join(dir, "c.ts"), "import type { D } from \"./d.js\"\nexport interface C { readonly d: D }\n")
      writeFileSync(join(dir, "d.ts"), "import type { C } from \"./c.js\"\nexport interface D { readonly c?: C }\n")
      expect(await cycles(["a.js", "b.js", "c.ts", "d.ts"].map((file) => join(dir, file)), dir)).toEqual(["a -> b", "c -> d"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  for (const pkg of packages) {
    it(`${pkg}: the JavaScript Node loads has no import cycle`, async () => {
      const dist = join(root, "packages", pkg, "dist")
      // Only what today's sources compile to (a stale file of a deleted module does not count).
      const files = sourceModules(pkg).map((file) => join(dist, file.replace(/\.ts$/, ".js")))
      expect(files.every((file) => existsSync(file)), `packages/${pkg}/dist is stale or missing: run npm run build`).toBe(true)
      expect(await cycles(files, dist)).toEqual([])
    }, 120_000)

    it(`${pkg}: the sources, type imports included, have no import cycle`, async () => {
      const src = join(root, "packages", pkg, "src")
      const files = sourceModules(pkg).map((file) => join(src, file))
      expect(files.length).toBeGreaterThan(3)
      expect(await cycles(files, src)).toEqual([])
    }, 120_000)
  }
})
