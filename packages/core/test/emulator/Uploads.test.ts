import { uploadsSuite } from "./Uploads.suite.js"
import { coreTransports, harness } from "./TestArchive.js"

for (const transport of coreTransports) uploadsSuite(harness(transport))
