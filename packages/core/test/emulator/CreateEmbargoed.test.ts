import { harness } from "../support/ApiHarness.js"
import { createEmbargoedSuite } from "./CreateEmbargoed.suite.js"

createEmbargoedSuite("in-process", () => harness({ token: "owner-token" }))
