import { project } from "../../vitest.shared.js"

// The CLI tests spawn bin/dandi-effect.js, which runs the bundle: rebuild it from dist/ first.
export default project("node", { globalSetup: ["test/support/bundle-cli.setup.ts"] })
