/**
 * The CLI's one failure type: a one-line message for stderr. Commands map their errors to it at
 * the edge so that every failure ends as `exit 1` with a message that says what to do.
 */
import * as Data from "effect/Data"

/**
 * A command's failure: one line for stderr, and exit status 1.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly message: string }> {}
