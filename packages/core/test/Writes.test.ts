import { harness } from "./support/ApiHarness.js"
import { steppingTheClock, writesSuite } from "./Writes.suite.js"

writesSuite({ name: "in-process", sdk: () => harness({ token: "owner-token" }), whileTimePasses: steppingTheClock })
