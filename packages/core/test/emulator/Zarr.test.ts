import { zarrSuite } from "./Zarr.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) zarrSuite(harness(transport))
