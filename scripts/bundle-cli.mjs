// Bundles the compiled CLI (packages/node/dist/bin.js, from `tsc -b`) with esbuild into
// packages/node/dist/bundle/: one entry chunk plus one chunk per command's modules (Main.ts loads
// a command's module only when that command runs). Why a bundle: loading Effect and the SDK as
// hundreds of separate ES modules took most of the CLI's start-up (resolving, reading and
// compiling each file); one bundled file per command loads several times faster (figures in
// docs/BENCHMARKS.md, "startup"). bin/dandi-effect.js runs the bundle when it is there.
// Run by `npm run build` and before the tests (vitest global setup), so it follows dist/.
import * as esbuild from "esbuild"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const dist = join(root, "packages/node/dist")

export const bundleCli = async () => {
  const entry = join(dist, "bin.js")
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -b\` first`)
  const outdir = join(dist, "bundle")
  rmSync(outdir, { recursive: true, force: true })
  await esbuild.build({
    entryPoints: { bin: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    // A native addon: loaded from node_modules at run time.
    external: ["@napi-rs/keyring"],
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    // Bundled CommonJS dependencies call `require`; an ES module has none of its own.
    banner: { js: "import { createRequire as __bundleRequire } from \"node:module\"; const require = __bundleRequire(import.meta.url);" },
    logLevel: "warning"
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli()
