import { assetsSuite } from "./Assets.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) assetsSuite(harness(transport))
