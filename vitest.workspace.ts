// The list of test projects. vitest 3.2 deprecates reading this file directly, so the root
// vitest.config.ts imports it into `test.projects`.
// `packages/*` picks up each package's vitest.config.ts (Node). The browser package's tests also
// run in real headless Chromium, as a project of their own (`--project browser-chromium`).
export const projects = ["packages/*", "packages/browser/vitest.chromium.config.ts"]
