/**
 * Entry point of the `dandi-effect` binary. Failures end as one line on stderr and exit 1;
 * @effect/cli's own usage errors keep their help output.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Colour from "./cli/Colour.js"
import { runCli } from "./cli/Main.js"

/**
 * The CLI's only logger: plain lines on stderr (a keyring that cannot be read, a retry), so that
 * stdout carries only results and `--json` output stays parseable.
 */
const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    globalThis.console.error(`dandi-effect: ${logLevel.label.toLowerCase()}: ${text}`)
  })
)

/** @effect/cli colours its usage errors and help: only a terminal gets the escapes (NO_COLOR honoured). */
const withColourWhereWanted = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.consoleWith((console) =>
    Effect.withConsole(
      effect,
      Colour.withoutEscapes(console, { stdout: Colour.wanted(process.stdout), stderr: Colour.wanted(process.stderr) })
    )
  )

const program = runCli(process.argv).pipe(
  withColourWhereWanted,
  Effect.provide(NodeContext.layer),
  Effect.provide(stderrLogger)
)

NodeRuntime.runMain(
  program.pipe(
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const failure = Cause.failureOption(cause)
      const exitWithFailure = Effect.sync(() => {
        process.exitCode = 1
      })
      // @effect/cli has already printed what was wrong with the command line and how to use it.
      if (Option.exists(failure, ValidationError.isValidationError)) return exitWithFailure
      const message = Option.match(failure, {
        onNone: () => Cause.pretty(cause).split("\n")[0] ?? "unexpected failure",
        onSome: (error) =>
          typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
            ? error.message
            : String(error)
      })
      return Console.error(`dandi-effect: ${message.split("\n")[0]}`).pipe(Effect.zipRight(exitWithFailure))
    })
  ),
  { disableErrorReporting: true, disablePrettyLogger: true }
)
