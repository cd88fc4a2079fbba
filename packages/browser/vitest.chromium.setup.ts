/**
 * Global setup of the `browser-chromium` project, run in Node: the loopback archive emulator with
 * the demo seed, plus a user whose key the tests store in localStorage and one embargoed dandiset
 * only that user can see. The tests get its API URL and the key through `inject("dandiEmulator")`.
 */
import { Hasher } from "@dandi-effect/core/Hasher"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { TestProject } from "vitest/node"

export interface DandiEmulatorInfo {
  /** e.g. `http://127.0.0.1:41234/api` */
  readonly apiUrl: string
  /** The key of `browser-tester`, owner of every seeded dandiset. */
  readonly token: string
  readonly username: string
}

declare module "vitest" {
  export interface ProvidedContext {
    dandiEmulator: DandiEmulatorInfo
  }
}

const username = "browser-tester"
const token = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scope = Effect.runSync(Scope.make())
  const { apiUrl } = await Effect.runPromise(
    LoopbackServer.make({
      // The test page stands in for the archive's own web app, the only origin the archive
      // accepts writes (uploads) from; its port is chosen by vitest, so every origin is allowed.
      allowedOrigins: ["*"],
      seed: (admin) =>
        Effect.gen(function*() {
          yield* admin.addUser({ username, token })
          // 000001 (published + draft, with assets) and 000002 (empty draft).
          yield* DemoSeed.apply([username])(admin)
          yield* admin.createDandiset({
            identifier: "000003",
            name: "Embargoed study",
            owners: [username],
            embargoed: true
          })
        })
    }).pipe(Scope.extend(scope), Effect.provide(Hasher.layerPortable))
  )
  project.provide("dandiEmulator", { apiUrl, token, username })
  return () => Effect.runPromise(Scope.close(scope, Exit.void))
}
