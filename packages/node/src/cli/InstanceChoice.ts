/**
 * Which archive a command talks to, and whether the user's API key goes with it: the `-i`
 * option (else `DANDI_INSTANCE`) is the instance the user chose; the target is then checked
 * against it with core's `connectionFor`, the SDK's one rule for where a key may go.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import type { AuthenticationError } from "@dandi-effect/core/DandiError"
import { DEFAULT_API_KEY_VARIABLE } from "@dandi-effect/core/DandiInstance"
import type { DandiTarget } from "@dandi-effect/core/DandiUrl"
import { connectionFor } from "@dandi-effect/core/DandiUrl"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodeDandi from "../NodeDandi.js"
import { CliFailure } from "./CliFailure.js"

/**
 * `-i / --dandi-instance`: a known name or an API URL. Absent, `DANDI_INSTANCE` is read; with
 * neither, a target's own archive is used (a server met only in a pasted URL without its key).
 *
 * @since 0.1.0
 * @category instances
 */
export const instanceOption = Options.text("dandi-instance").pipe(
  Options.withAlias("i"),
  Options.optional,
  Options.withDescription(
    "Instance name (dandi, dandi-sandbox, linc, …) or API URL such as http://127.0.0.1:8000/api; default DANDI_INSTANCE. " +
      "The API key ({NAME}_API_KEY, or DANDI_API_KEY for a URL) is sent only to this instance."
  )
)

/**
 * The instance the user chose: `-i`, else a non-empty `DANDI_INSTANCE`, else none.
 *
 * @since 0.1.0
 * @category instances
 */
export const chosenInstance = (option: Option.Option<string>): Effect.Effect<string | undefined> =>
  Option.match(option, {
    onSome: (instance) => Effect.succeed(instance),
    onNone: () =>
      Config.option(Config.string("DANDI_INSTANCE")).pipe(
        Effect.map((value) => Option.getOrUndefined(Option.filter(value, (text) => text.trim().length > 0))),
        Effect.orElseSucceed(() => undefined)
      )
  })

type Located = Exclude<DandiTarget, { readonly _tag: "NeedsRedirect" }>

/**
 * NodeDandi options for a target: the chosen instance with its key, a known instance the target
 * names with its own key, or a pasted server anonymously; a target on another archive than the
 * chosen one fails with InstanceMismatchError. Run `command` on them with `connect`.
 *
 * @since 0.1.0
 * @category instances
 */
export const connect = <A, E, R>(
  target: Located,
  chosen: string | undefined,
  text: string,
  command: Effect.Effect<A, E, R>
) =>
  Effect.flatMap(connectionFor(target.instance, chosen, { target: text }), (connection) =>
    command.pipe(
      Effect.provide(NodeDandi.layer({
        instance: connection.instance,
        discover: connection.discover,
        authenticate: connection.withKey ? "env-or-store" : false
      })),
      // A pasted server that wants a key: say how to give it one, not to set a variable that
      // would not be sent.
      Effect.catchIf(
        (error): error is E & AuthenticationError =>
          !connection.withKey && typeof error === "object" && error !== null && "_tag" in error &&
          error._tag === "AuthenticationError",
        () =>
          Effect.fail(
            new CliFailure({
              message: `${connection.instance} asks for an API key, and a server reached only through a pasted URL is sent none. ` +
                `To send it yours, choose it as the instance: -i ${connection.instance} (the key is then read from ${DEFAULT_API_KEY_VARIABLE}).`
            })
          )
      )
    ))
