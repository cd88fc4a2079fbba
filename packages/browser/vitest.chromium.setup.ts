/**
 * Global setup of the `browser-chromium` project, run in Node: the loopback archive emulator with
 * the demo seed, plus a user whose key the tests store in localStorage and one embargoed dandiset
 * only that user can see. The tests get its API URL and the key through `inject("dandiEmulator")`.
 *
 * The emulator allows API writes from `http://localhost:<any port>`, where vitest serves the test
 * page (its port is chosen when the browser starts, after this setup). Two more emulators hold one
 * fault each, for the tests that need storage to misbehave: two whose first object GET answers
 * "presigned URL expired" (one for a download, one for the ranged reader), one that corrupts every
 * object it serves; a third allows writes from no
 * page origin (CORS refusals), and `closedApiUrl` names a port where nothing listens. Two more let
 * the page write: one whose storage answers no page origin (a bucket without a CORS rule for it),
 * one that drops the connection of the first two dandiset creations and closes every connection
 * after its response, so that each reset reaches the page.
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Faults from "@dandi-effect/core/testing/Faults"
import * as Scope from "effect/Scope"
import { createServer } from "node:net"
import type { TestProject } from "vitest/node"

export interface DandiEmulatorInfo {
  /** e.g. `http://127.0.0.1:41234/api` */
  readonly apiUrl: string
  /** An emulator whose first storage GET answers as an expired presigned URL does. */
  readonly expiringApiUrl: string
  /** Another whose first storage GET answers as an expired presigned URL does, for the ranged reader. */
  readonly expiringReaderApiUrl: string
  /** An emulator that flips a byte of every object it serves. */
  readonly corruptingApiUrl: string
  /**
   * An emulator that allows writes from no page origin, as the archive treats a third-party page:
   * it carries them out (the test user's key is valid there) but its answers lack CORS headers.
   */
  readonly refusingApiUrl: string
  /** An emulator whose API allows the test page to write but whose storage answers no page origin. */
  readonly storageRefusingApiUrl: string
  /** The storage origin of that emulator, e.g. `http://127.0.0.1:41236`. */
  readonly refusingStorageUrl: string
  /** An emulator that resets the connection of the first two POSTs under `/api/dandisets/`. */
  readonly resettingApiUrl: string
  /** An API URL at a port where nothing listens. */
  readonly closedApiUrl: string
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

/** Origins vitest serves the test page from. */
const testPageOrigins = [/^http:\/\/localhost:\d+$/]

/** A small archive for the fault emulators: the demo seed (000001's README and blobs). */
const faulty = (rule: Faults.FaultRule, scope: Scope.CloseableScope) =>
  LoopbackServer.make({
    faults: { rules: [rule] },
    reportFault: () => Effect.void,
    seed: DemoSeed.apply()
  }).pipe(Scope.extend(scope), Effect.map((server) => server.apiUrl))

/** The test user, owner of the demo dandisets (000001 with assets, 000002 empty). */
const ownedDemo = (admin: Parameters<NonNullable<LoopbackServer.LoopbackOptions["seed"]>>[0]) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username, token })
    yield* DemoSeed.apply([username])(admin)
  })

/** An emulator the test page may write to, owned by the test user, with `options` on top. */
const writable = (options: Partial<LoopbackServer.LoopbackOptions>, scope: Scope.CloseableScope) =>
  LoopbackServer.make({
    allowedOrigins: testPageOrigins,
    reportFault: () => Effect.void,
    seed: ownedDemo,
    ...options
  }).pipe(Scope.extend(scope))

/** A loopback port that was free a moment ago and has nothing listening now. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scope = Effect.runSync(Scope.make())
  const [{ apiUrl }, expiringApiUrl, corruptingApiUrl, expiringReaderApiUrl, refusingApiUrl] = await Effect.runPromise(Effect.all([
    LoopbackServer.make({
      allowedOrigins: testPageOrigins,
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
    }).pipe(Scope.extend(scope)),
    faulty({ target: "s3", method: "GET", action: "expire", times: 1 }, scope),
    faulty({ target: "s3", method: "GET", action: "corrupt" }, scope),
    faulty({ target: "s3", method: "GET", action: "expire", times: 1 }, scope),
    LoopbackServer.make({ allowedOrigins: [], seed: ownedDemo }).pipe(
      Scope.extend(scope),
      Effect.map((server) => server.apiUrl)
    )
  ]).pipe(Effect.provide(Hasher.layerPortable)))
  const [storageRefusing, resetting] = await Effect.runPromise(Effect.all([
    writable({ storageAllowedOrigins: [] }, scope),
    // No connection reused: Chromium would resend a request reset on a reused one by itself,
    // spending a reset the page never sees.
    writable({
      keepAlive: false,
      faults: { rules: [{ target: "api", method: "POST", pathPrefix: "/api/dandisets/", action: "reset", times: 2 }] }
    }, scope)
  ]).pipe(Effect.provide(Hasher.layerPortable)))
  const closedApiUrl = `http://127.0.0.1:${await closedPort()}/api`
  project.provide("dandiEmulator", {
    apiUrl,
    expiringApiUrl,
    corruptingApiUrl,
    expiringReaderApiUrl,
    refusingApiUrl,
    storageRefusingApiUrl: storageRefusing.apiUrl,
    refusingStorageUrl: storageRefusing.storageUrl,
    resettingApiUrl: resetting.apiUrl,
    closedApiUrl,
    token,
    username
  })
  return () => Effect.runPromise(Scope.close(scope, Exit.void))
}
