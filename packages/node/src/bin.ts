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
import * as Option from "effect/Option"
import { runCli } from "./cli/Main.js"

const program = runCli(process.argv).pipe(Effect.provide(NodeContext.layer))

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
  { disableErrorReporting: true }
)
