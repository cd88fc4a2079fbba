/**
 * @dandi-effect/core/testing — a faithful in-memory DANDI Archive for tests and demos.
 *
 * `InProcessHttp.layerInProcess()` gives an empty archive behind an `HttpClient` (no sockets);
 * `ArchiveEmulator` is the archive itself, with `admin` for seeding; `SeedFile`, `DemoSeed` and
 * `Synthetic` build archives; `Faults` injects failures reproducibly.
 *
 * @since 0.1.0
 */
export * as ArchiveEmulator from "./ArchiveEmulator.js"
export * as ConfigFile from "./ConfigFile.js"
export * as Cors from "./Cors.js"
export * as DemoNwb from "./DemoNwb.js"
export * as DemoSeed from "./DemoSeed.js"
export * as DeterministicBytes from "./DeterministicBytes.js"
export * as EmulatorAdmin from "./EmulatorAdmin.js"
export * as EmulatorHttp from "./EmulatorHttp.js"
export * as Faults from "./Faults.js"
export * as FrontDoor from "./FrontDoor.js"
export * as InProcessHttp from "./InProcessHttp.js"
export * as SeedFile from "./SeedFile.js"
export * as Synthetic from "./Synthetic.js"
