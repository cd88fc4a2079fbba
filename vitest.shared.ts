import { defineProject } from "vitest/config"

// Workspace packages export a "source" condition pointing at their TypeScript sources, so tests
// run against src/ without a build step while Node at runtime uses dist/.
const conditions = ["source", "module", "node", "import", "default"]

export const project = (name: string, options: { readonly globalSetup?: Array<string> } = {}) =>
  defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["source"] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      testTimeout: 30_000,
      ...options
    }
  })
