// The list of test projects. vitest 3.2 deprecates reading this file directly, so the root
// vitest.config.ts imports it into `test.projects`.
export const projects = ["packages/*"]
