/**
 * The SDK's `createDandiset(…, { embargo: true })` over real sockets to the loopback emulator
 * (Node's undici client); each test binds its own server inside its effect, on the test's clock.
 */
import { createEmbargoedSuite } from "../../../core/test/emulator/CreateEmbargoed.suite.js"
import { sdkOverLoopback } from "../support/SdkOverLoopback.js"

createEmbargoedSuite("loopback", () => sdkOverLoopback())
