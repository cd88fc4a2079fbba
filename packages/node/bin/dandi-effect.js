#!/usr/bin/env node
// Committed shim so npm can link the bin before `prepare` has compiled dist/. Runs the bundled CLI
// (dist/bundle/, scripts/bundle-cli.mjs: it starts several times faster than the separate
// modules) when it has been built, else the compiled modules.
import { existsSync } from "node:fs"

const bundled = new URL("../dist/bundle/bin.mjs", import.meta.url)
await import(existsSync(bundled) ? bundled.href : "../dist/bin.js")
