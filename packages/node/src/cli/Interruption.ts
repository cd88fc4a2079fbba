/**
 * How a signal ends the process. A command interrupted by SIGINT or SIGTERM did not finish, and
 * exits 130 / 143 (128 + the signal's number) once it has released what it holds. A server —
 * `dandi-effect emulator` — is meant to run until it is told to stop, so it declares that a
 * signal is its normal end, and exits 0.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

/**
 * Exit statuses of a process ended by a signal, as shells report them (128 + signal number).
 *
 * @since 0.1.0
 * @category signals
 */
export const signalExitCodes = { SIGINT: 130, SIGPIPE: 141, SIGTERM: 143 } as const

let signalIsNormalEnd = false

/**
 * Declares that the running command serves until a signal stops it (exit 0 then).
 *
 * @since 0.1.0
 * @category signals
 */
export const servesUntilSignal: Effect.Effect<void> = Effect.sync(() => {
  signalIsNormalEnd = true
})

/**
 * The exit status for a process that `signal` interrupted.
 *
 * @since 0.1.0
 * @category signals
 */
export const exitCodeFor = (signal: "SIGINT" | "SIGTERM"): number => signalIsNormalEnd ? 0 : signalExitCodes[signal]
