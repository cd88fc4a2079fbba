import { defineConfig } from "vite"

// The explorer page, served by `npm run example` (serve.mjs) next to the loopback emulator.
// Workspace packages resolve to their TypeScript sources ("source" condition), as in the tests.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
  // h5wasm is one large ES module with its WebAssembly inlined: served as it is.
  optimizeDeps: { exclude: ["h5wasm"] },
  server: { host: "localhost" }
})
