import { miscSuite } from "./Misc.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) miscSuite(harness(transport))
