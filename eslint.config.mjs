// ESLint flat config: eslint's and typescript-eslint's recommended rules everywhere, plus Effect's
// no-import-from-barrel-package in the packages' sources (they import `effect/Effect`, not
// `{ Effect } from "effect"`, so a consumer's bundler keeps only the modules used).
// Effect's dprint formatting rule is left off: it would rewrite most files (800 changes in 127
// files when tried) for layout alone.
import effect from "@effect/eslint-plugin"
import js from "@eslint/js"
import globals from "globals"
import tseslint from "typescript-eslint"
import requireSinceCategory from "./scripts/eslint/require-since-category.mjs"

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "coverage/**", ".bench/**", "docs/api/**"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      // `_name` marks a value deliberately left unused: a field dropped by destructuring, an
      // argument a signature requires.
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_",
        destructuredArrayIgnorePattern: "^_"
      }],
      // `interface X extends Schema.Schema.Type<typeof X> {}` names a schema's type, so editors
      // show `X` rather than its expanded fields.
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    plugins: { "@effect": effect },
    rules: {
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node", "@effect/platform-browser", "@effect/cli"]
      }]
    }
  },
  {
    // The API reference (npm run docs) files every export by these tags.
    files: ["packages/node/src/**/*.ts", "packages/browser/src/**/*.ts"],
    plugins: { local: { rules: { "require-since-category": requireSinceCategory } } },
    rules: { "local/require-since-category": "error" }
  },
  {
    // Tests read the emulator's JSON answers as `any` and assert them by value (toEqual,
    // toMatchObject); typing every wire body there would only restate the expected values.
    files: ["packages/*/test/**/*.ts", "packages/*/test-chromium/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" }
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: globals.node }
  }
)
