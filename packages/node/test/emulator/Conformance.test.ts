/**
 * The emulator's conformance suites (packages/core/test/emulator) over real sockets: each test
 * binds a fresh loopback server inside its own effect, so the archive runs under the test's clock,
 * and calls it with Node's undici client, which leaves redirects to the caller.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as HttpClient from "@effect/platform/HttpClient"
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { assetsSuite } from "../../../core/test/emulator/Assets.suite.js"
import { dandisetsSuite } from "../../../core/test/emulator/Dandisets.suite.js"
import { miscSuite } from "../../../core/test/emulator/Misc.suite.js"
import { routingSuite } from "../../../core/test/emulator/Routing.suite.js"
import { seedingSuite } from "../../../core/test/emulator/Seeding.suite.js"
import { harness, overHttpClient, type Transport } from "../../../core/test/emulator/TestArchive.js"
import { uploadsSuite } from "../../../core/test/emulator/Uploads.suite.js"
import { versionsSuite } from "../../../core/test/emulator/Versions.suite.js"
import { zarrSuite } from "../../../core/test/emulator/Zarr.suite.js"

const loopback: Transport = {
  name: "loopback",
  connect: (webUrl) =>
    Effect.gen(function*() {
      const server = yield* LoopbackServer.make({ webUrl }).pipe(
        Effect.provideService(Hasher.Hasher, Hasher.portable),
        Effect.orDie
      )
      const client = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
      const send = overHttpClient(client)
      return { emulator: server.emulator, api: send, storage: send }
    })
}

const over = harness(loopback)
for (const suite of [assetsSuite, dandisetsSuite, miscSuite, routingSuite, seedingSuite, uploadsSuite, versionsSuite, zarrSuite]) {
  suite(over)
}
