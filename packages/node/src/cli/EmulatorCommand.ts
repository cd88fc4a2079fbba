/**
 * `dandi-effect emulator [--port N] [--seed demo|synthetic:N|FILE] [--token T]… [--faults FILE] [--latency MS]`
 *
 * Contract: the first stdout line is exactly `API: http://127.0.0.1:N/api`; the server runs until
 * SIGINT/SIGTERM and then exits 0. Injected faults are reported on stderr, one `fault:` line each.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as EmulatorSetup from "../emulator/EmulatorSetup.js"
import * as LoopbackServer from "../emulator/LoopbackServer.js"
import * as NodeHasher from "../NodeHasher.js"
import { CliFailure } from "./CliFailure.js"

const port = Options.integer("port").pipe(
  Options.withDescription("API port on 127.0.0.1 (0 or absent: a free port)"),
  Options.optional
)
const storagePort = Options.integer("storage-port").pipe(
  Options.withDescription("object-store port on 127.0.0.1 (default: a free port)"),
  Options.optional
)
const seed = Options.text("seed").pipe(
  Options.withDescription("\"demo\", \"synthetic:N\" (N metadata-only assets), or a JSON seed file"),
  Options.optional
)
const token = Options.text("token").pipe(
  Options.withDescription("create an approved user with this API key (repeatable)"),
  Options.repeated
)
const faults = Options.text("faults").pipe(
  Options.withDescription("fault-injection plan: a JSON file (or inline JSON)"),
  Options.optional
)
const latency = Options.integer("latency").pipe(
  Options.withDescription("added latency of every API response, in milliseconds"),
  Options.optional
)
const allowOrigin = Options.text("allow-origin").pipe(
  Options.withDescription("browser origin allowed to write (repeatable; \"*\" for any)"),
  Options.repeated
)

/**
 * `dandi-effect emulator [--port N] [--seed demo|FILE] [--token T]… [--faults FILE]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const emulatorCommand = Command.make(
  "emulator",
  { port, storagePort, seed, token, faults, latency, allowOrigin },
  (args) =>
    Effect.gen(function*() {
      const prepared = yield* EmulatorSetup.prepareSeed(Option.getOrUndefined(args.seed), args.token)
      const plan = yield* EmulatorSetup.prepareFaults(
        Option.getOrUndefined(args.faults),
        Option.getOrUndefined(args.latency)
      )
      const loopback = yield* LoopbackServer.make({
        port: Option.getOrUndefined(args.port),
        storagePort: Option.getOrUndefined(args.storagePort),
        faults: plan,
        allowedOrigins: args.allowOrigin.length === 0 ? undefined : args.allowOrigin,
        reportFault: (line) => Console.error(line),
        seed: prepared.apply
      }).pipe(Effect.mapError((error) => new CliFailure({ message: error.message })))

      const { apiUrl, storageUrl } = loopback
      yield* Console.log(`API: ${apiUrl}`)
      yield* Console.log(`Storage: ${storageUrl}`)
      yield* Console.log(`Seed: ${prepared.description}`)
      for (const [i] of args.token.entries()) {
        yield* Console.log(`User: user-${i + 1} (approved), API key from --token #${i + 1}`)
      }
      if (plan !== undefined) yield* Console.log(`Faults: ${plan.rules.length} rule(s), seed ${plan.seed ?? 0}`)
      yield* Console.log(`Try:  curl -s ${apiUrl}/info/`)
      yield* Console.log(`      curl -s '${apiUrl}/dandisets/?page_size=5'`)
      if (args.token.length > 0) {
        yield* Console.log(`      curl -s -H "Authorization: token $DANDI_API_KEY" ${apiUrl}/users/me/`)
      }
      yield* Console.log(`      npx dandi-effect ls -i ${apiUrl} 000001`)
      yield* Console.log("Press Ctrl-C to stop.")
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(NodeHasher.layer))
).pipe(Command.withDescription("Run the DANDI Archive emulator on 127.0.0.1 until interrupted"))
