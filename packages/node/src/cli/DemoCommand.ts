/**
 * `dandi-effect demo` (`npm start`): a narrated tour of the SDK against an embedded archive
 * emulator on 127.0.0.1 (see demo/Tour.ts for the steps). Exits 0 when every step and every check
 * passed; any failure ends as one line on stderr and exit 1.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import * as Tour from "../demo/Tour.js"
import * as NodeHasher from "../NodeHasher.js"
import { CliFailure } from "./CliFailure.js"

/** A fresh key per run, shaped like the archive's (40 hex digits); it lives only in this process. */
const generateKey = Effect.sync(() => Redacted.make(randomBytes(20).toString("hex")))

const oneLine = (error: unknown): string => {
  const text = typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)
  return text.replace(/\s+/g, " ").trim()
}

/**
 * The tour, with a fresh random API key, any failure mapped to one CliFailure line.
 *
 * @since 0.1.0
 * @category commands
 */
export const run: Effect.Effect<void, CliFailure> = Effect.gen(function*() {
  const key = yield* generateKey
  yield* Tour.run({ key })
}).pipe(
  Effect.scoped,
  Effect.provide(NodeHasher.layer),
  Effect.mapError((error) => new CliFailure({ message: `demo: ${oneLine(error)}` }))
)

/**
 * `dandi-effect demo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const demoCommand = Command.make("demo", {}, () => run).pipe(
  Command.withDescription("Tour the SDK against an embedded archive emulator: list, search, read and verify data")
)
