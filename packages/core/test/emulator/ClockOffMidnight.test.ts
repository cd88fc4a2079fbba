/**
 * Every emulator conformance suite once more, with the test clock set to an afternoon instead of
 * the epoch's midnight, so any confusion of a calendar date with an instant (embargo limits,
 * version ids, dates in metadata) shows up as a failure.
 */
import { assetsSuite } from "./Assets.suite.js"
import { dandisetsSuite } from "./Dandisets.suite.js"
import { miscSuite } from "./Misc.suite.js"
import { routingSuite } from "./Routing.suite.js"
import { seedingSuite } from "./Seeding.suite.js"
import { harness, inProcess } from "./TestArchive.js"
import { uploadsSuite } from "./Uploads.suite.js"
import { versionsSuite } from "./Versions.suite.js"
import { zarrSuite } from "./Zarr.suite.js"

const afternoon = harness(inProcess, { clockAt: "2026-05-17T15:42:07.250Z" })
for (const suite of [assetsSuite, dandisetsSuite, miscSuite, routingSuite, seedingSuite, uploadsSuite, versionsSuite, zarrSuite]) {
  suite(afternoon)
}
