/**
 * Colour only where someone is looking at it: ANSI escapes go to a terminal, never into a pipe or
 * a file, and never when `NO_COLOR` is set (https://no-color.org). @effect/cli colours its help
 * and usage errors unconditionally, so the CLI runs under a Console that removes the escapes
 * when colour is not wanted.
 */
import * as Console from "effect/Console"
import { stripVTControlCharacters } from "node:util"

/**
 * Whether output written to `stream` may carry colour.
 *
 * @since 0.1.0
 * @category commands
 */
export const wanted = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env
): boolean => stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

const plain = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((arg) => (typeof arg === "string" ? stripVTControlCharacters(arg) : arg))

/**
 * `console`, keeping the escapes only on the streams where `colour` allows them: stdout
 * (`log`, `info`) and stderr (`error`, `warn`).
 *
 * @since 0.1.0
 * @category commands
 */
export const withoutEscapes = (
  console: Console.Console,
  colour: { readonly stdout: boolean; readonly stderr: boolean }
): Console.Console => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function of the Console, whatever its parameters
  const toStdout = <F extends (...args: ReadonlyArray<any>) => any>(f: F): F =>
    (colour.stdout ? f : ((...args: ReadonlyArray<unknown>) => f(...plain(args)))) as F
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function of the Console, whatever its parameters
  const toStderr = <F extends (...args: ReadonlyArray<any>) => any>(f: F): F =>
    (colour.stderr ? f : ((...args: ReadonlyArray<unknown>) => f(...plain(args)))) as F
  const unsafe = console.unsafe
  return {
    ...console,
    log: toStdout(console.log.bind(console)),
    info: toStdout(console.info.bind(console)),
    error: toStderr(console.error.bind(console)),
    warn: toStderr(console.warn.bind(console)),
    unsafe: {
      ...unsafe,
      log: toStdout(unsafe.log.bind(unsafe)),
      info: toStdout(unsafe.info.bind(unsafe)),
      error: toStderr(unsafe.error.bind(unsafe)),
      warn: toStderr(unsafe.warn.bind(unsafe))
    }
  }
}
