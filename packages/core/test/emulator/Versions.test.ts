import { versionsSuite } from "./Versions.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) versionsSuite(harness(transport))
