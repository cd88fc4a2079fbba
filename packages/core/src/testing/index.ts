/**
 * @dandi-effect/core/testing — a faithful in-memory DANDI Archive for tests and demos.
 *
 * @since 0.1.0
 */
export * as EmulatorAdmin from "./EmulatorAdmin.js"
export * as EmulatorHttp from "./EmulatorHttp.js"
