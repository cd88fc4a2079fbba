/**
 * Entry point of the `dandi-effect` binary: how a command ends is decided here, once for all.
 *
 * - Success: exit 0.
 * - A failure: one line on stderr (control characters shown visibly, TerminalText.ts), exit 1;
 *   @effect/cli's own usage errors keep their help output.
 * - SIGINT / SIGTERM: the command is interrupted, releases what it holds (finalizers run:
 *   connections, files), then exits 130 / 143, so `dandi-effect ls … > f && use f` never accepts
 *   a partial file. (`emulator` serves until a signal stops it, and exits 0: Interruption.ts.)
 * - A closed stdout (`dandi-effect ls … | head -1`): the command is interrupted the same way and
 *   ends quietly with 141, as a Unix tool killed by SIGPIPE does.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { exitCodeFor, signalExitCodes } from "./cli/Interruption.js"
import * as Colour from "./cli/Colour.js"
import { runCli } from "./cli/Main.js"
import { visible } from "./cli/TerminalText.js"

/** The signal that interrupted the command, if one did (NodeRuntime interrupts it for us). */
let interruptedBy: "SIGINT" | "SIGTERM" | undefined
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second signal while finalizers run: stop waiting for them.
    if (interruptedBy !== undefined) process.exit(exitCodeFor(interruptedBy))
    interruptedBy = signal
  })
}

class StdoutClosed extends Data.TaggedError("StdoutClosed")<{ readonly code: string; readonly message: string }> {}

/**
 * Completes when stdout can no longer be written. The listeners stay for the life of the
 * process: writes still queued while the command winds down fail the same way and must not
 * crash it. stderr errors have nowhere to be reported and are dropped.
 */
const stdoutClosed = Effect.async<never, StdoutClosed>((resume) => {
  process.stdout.on("error", (error: NodeJS.ErrnoException) =>
    resume(Effect.fail(new StdoutClosed({ code: error.code ?? "", message: error.message }))))
})
process.stderr.on("error", () => {})

/**
 * The CLI's only logger: plain lines on stderr (a keyring that cannot be read, a retry), so that
 * stdout carries only results and `--json` output stays parseable.
 */
const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    globalThis.console.error(`dandi-effect: ${logLevel.label.toLowerCase()}: ${visible(text)}`)
  })
)

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/** @effect/cli colours its usage errors and help: only a terminal gets the escapes (NO_COLOR honoured). */
const withColourWhereWanted = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.consoleWith((console) =>
    Effect.withConsole(
      effect,
      Colour.withoutEscapes(console, { stdout: Colour.wanted(process.stdout), stderr: Colour.wanted(process.stderr) })
    )
  )

const program = Effect.raceFirst(runCli(process.argv), stdoutClosed).pipe(
  withColourWhereWanted,
  Effect.provide(NodeContext.layer),
  Effect.provide(stderrLogger)
)

NodeRuntime.runMain(
  program.pipe(
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const failure = Cause.failureOption(cause)
      const exitWith = (code: number) =>
        Effect.sync(() => {
          process.exitCode = code
        })
      // @effect/cli has already printed what was wrong with the command line and how to use it.
      if (Option.exists(failure, ValidationError.isValidationError)) return exitWith(1)
      if (Option.isSome(failure) && failure.value instanceof StdoutClosed) {
        return failure.value.code === "EPIPE"
          ? exitWith(signalExitCodes.SIGPIPE)
          : Console.error(`dandi-effect: cannot write the output: ${failure.value.message}`).pipe(
            Effect.zipRight(exitWith(1))
          )
      }
      const message = Option.match(failure, {
        onNone: () => Cause.pretty(cause).split("\n")[0] ?? "unexpected failure",
        onSome: messageOf
      })
      return Console.error(`dandi-effect: ${visible(message.trim())}`).pipe(Effect.zipRight(exitWith(1)))
    })
  ),
  {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      if (interruptedBy !== undefined) return onExit(exitCodeFor(interruptedBy))
      onExit(Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : 0)
    }
  }
)
