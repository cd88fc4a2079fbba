/**
 * Vitest global setup of the node package: rebuilds the bundled CLI (dist/bundle/) from the
 * compiled modules (dist/, `npx tsc -b`) before the tests spawn `bin/dandi-effect.js`, so that the
 * binary under test is always the code just compiled, never an older bundle.
 */
// @ts-expect-error -- a plain .mjs build script without type declarations
import { bundleCli } from "../../../../scripts/bundle-cli.mjs"

export default async function setup(): Promise<void> {
  await (bundleCli as () => Promise<void>)()
}
