// `npm run example`: the loopback archive emulator with the demo archive, and the explorer page
// (Vite) pointed at it. The page may write to the emulator (CORS allows localhost origins) with the
// key of a demo user that owns every demo dandiset. Ctrl-C stops both.
import { Hasher } from "@dandi-effect/core/Hasher"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { createServer } from "vite"

const username = "explorer"
const token = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"

const scope = Effect.runSync(Scope.make())
const { apiUrl } = await Effect.runPromise(
  LoopbackServer.make({
    port: Number(process.env.DANDI_EMULATOR_PORT ?? 0),
    allowedOrigins: [/^http:\/\/(localhost|127\.0\.0\.1):\d+$/],
    seed: (admin) =>
      Effect.gen(function*() {
        yield* admin.addUser({ username, token })
        yield* DemoSeed.apply([username])(admin)
      })
  }).pipe(Scope.extend(scope), Effect.provide(Hasher.layerPortable))
)
process.env.VITE_DANDI_API_URL = apiUrl
process.env.VITE_DANDI_TOKEN = token
const vite = await createServer({ configFile: new URL("./vite.config.ts", import.meta.url).pathname })
await vite.listen()
console.log(`archive emulator: ${apiUrl} (demo key for uploads: ${token})`)
vite.printUrls()

const stop = async () => {
  await vite.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
