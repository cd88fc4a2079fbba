import { seedingSuite } from "./Seeding.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) seedingSuite(harness(transport))
