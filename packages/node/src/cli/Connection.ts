/**
 * Which archive a command talks to, and whether the user's API key goes with it. The `-i`
 * option (else `DANDI_INSTANCE`) is the instance the user chose; a target is checked against it
 * with core's `connectionFor`, the SDK's one rule for where a key may go. Every command that
 * opens a connection goes through here.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import type { AuthenticationError } from "@dandi-effect/core/DandiError"
import { DEFAULT_API_KEY_VARIABLE, instanceFromUrl, knownInstance } from "@dandi-effect/core/DandiInstance"
import { connectionFor, instanceApiUrl, InstanceRef } from "@dandi-effect/core/DandiUrl"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodeDandi from "../NodeDandi.js"
import { CliFailure } from "./CliFailure.js"

/**
 * `-i / --dandi-instance`: a known name or an API URL. Absent, `DANDI_INSTANCE` is read; with
 * neither, a target's own archive is used (a server met only in a pasted URL without a key).
 *
 * @since 0.1.0
 * @category instances
 */
export const instanceOption = Options.text("dandi-instance").pipe(
  Options.withAlias("i"),
  Options.withPseudoName("INSTANCE"),
  Options.optional,
  Options.withDescription(
    "Instance: a known name (dandi, dandi-sandbox, linc, …; see 'dandi-effect instances') or an API URL such as " +
      "http://127.0.0.1:8000/api; default DANDI_INSTANCE. The API key ({NAME}_API_KEY, or DANDI_API_KEY for a URL) " +
      "is sent only to this instance."
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

/**
 * An instance's name or URL (`-i`'s value) as an instance reference.
 *
 * @since 0.1.0
 * @category instances
 */
export const instanceRef = (nameOrUrl: string) => {
  const text = nameOrUrl.trim()
  if (/^https?:\/\//i.test(text)) {
    const url = text.replace(/\/+$/, "")
    const known = instanceFromUrl(url)
    return Either.right(
      known === undefined
        ? InstanceRef.ServerUrl({ url, isApi: /\/api$/.test(url) })
        : InstanceRef.KnownInstance({ instance: known })
    )
  }
  return Either.map(knownInstance(text.toLowerCase()), (instance) => InstanceRef.KnownInstance({ instance }))
}

/**
 * The NodeDandi options of an instance the user named explicitly (`auth -i X`, `upload -i X`):
 * its own key may go to it. No network until the layer is built.
 *
 * @since 0.1.0
 * @category instances
 */
export const chosenConnection = (instance: InstanceRef): NodeDandi.NodeDandiOptions =>
  InstanceRef.$match(instance, {
    KnownInstance: ({ instance }) => ({
      instance: { name: instance.name, gui: instance.gui, api: instance.api },
      discover: false
    }),
    ServerUrl: ({ isApi, url }) => ({
      // An API URL is used as given; a web URL needs the server to announce its API address.
      instance: instanceApiUrl(instance),
      discover: !isApi || !/\/api$/.test(url)
    })
  })

/**
 * Runs `command` with a DandiApi for the archive a target is on: the chosen instance with its
 * key, a known instance the target names with its own key, or a pasted server anonymously. A
 * target on another archive than the chosen one fails with InstanceMismatchError.
 *
 * @since 0.1.0
 * @category instances
 */
export const connect = <A, E, R>(
  target: InstanceRef,
  chosen: string | undefined,
  text: string,
  command: Effect.Effect<A, E, R>
) =>
  Effect.flatMap(connectionFor(target, chosen, { target: text }), (connection) =>
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
