import { routingSuite } from "./Routing.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) routingSuite(harness(transport))
