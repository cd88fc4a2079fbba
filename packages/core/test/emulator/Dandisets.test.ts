import { dandisetsSuite } from "./Dandisets.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) dandisetsSuite(harness(transport))
