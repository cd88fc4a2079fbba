/**
 * `dandi-effect auth login|logout|status [-i INSTANCE]` — the API key of an archive, kept where
 * dandi-cli keeps it (the OS keyring, service `dandi-api-{instance}`, user `key`), so a key saved
 * by either tool serves both.
 *
 * - `login` reads the key from stdin when stdin is not a terminal (`… | dandi-effect auth login`),
 *   else asks for it without echoing it; the archive must accept it before it is saved.
 * - `logout` removes the saved key.
 * - `status` says which key would be used (`{NAME}_API_KEY` first, then the keyring, as `ls`
 *   finds it), and whether the archive accepts it and for whom.
 *
 * No key is ever printed.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as TokenStore from "@dandi-effect/core/TokenStore"
import type * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { text } from "node:stream/consumers"
import * as NodeDandi from "../NodeDandi.js"
import * as NodeTokenStore from "../NodeTokenStore.js"
import { CliFailure } from "./CliFailure.js"
import { chosenConnection, instanceRef } from "./Connection.js"

/**
 * Where `auth` reads and writes saved keys: the OS keyring, or a test's stand-in.
 *
 * @since 0.1.0
 * @category commands
 */
export type KeyStore = TokenStore.SyncBackend

/**
 * How `login` obtains the key: stdin or a prompt.
 *
 * @since 0.1.0
 * @category commands
 */
export type KeySource = Effect.Effect<Redacted.Redacted<string>, CliFailure, Terminal.Terminal>

const firstLine = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  return message.split("\n")[0] ?? message
}

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/** The instance `-i` names, resolved once: its name, web page and key variables. */
const target = (nameOrUrl: string) =>
  Effect.gen(function*() {
    const instance = yield* Either.mapLeft(instanceRef(nameOrUrl), (error) => new CliFailure({ message: error.message }))
    const options = chosenConnection(instance)
    const api = yield* Effect.provide(
      DandiApi.DandiApi,
      NodeDandi.layer({ ...options, tokenStore: TokenStore.layerMemory, authenticate: false })
    ).pipe(Effect.mapError((error) => new CliFailure({ message: messageOf(error) })))
    // The instance's one key variable (DANDI_API_KEY for an instance given as a URL).
    const variable = api.apiKeyEnvVar
    const variables = [variable]
    const name = api.location.instanceName
    return { options, name, variables, variable, service: TokenStore.serviceName(name) }
  })

/** Runs `use` with a client of the instance that is anonymous until told otherwise. */
const withClient = <A, E>(
  options: NodeDandi.NodeDandiOptions,
  use: (api: DandiApi.DandiApiShape) => Effect.Effect<A, E>
) =>
  Effect.flatMap(DandiApi.DandiApi, use).pipe(
    Effect.provide(NodeDandi.layer({ ...options, tokenStore: TokenStore.layerMemory, authenticate: false }))
  )

/** Checks `key` with the archive; the account's username when accepted. */
const accepted = (options: NodeDandi.NodeDandiOptions, key: Redacted.Redacted<string>) =>
  withClient(options, (api) =>
    api.authenticate(key).pipe(
      Effect.zipRight(api.me),
      Effect.map((user) => user.username)
    )).pipe(Effect.mapError((error) => new CliFailure({ message: messageOf(error) })))

/**
 * The key piped to stdin, or typed at a prompt that does not echo it.
 *
 * @since 0.1.0
 * @category commands
 */
export const readKey = (instanceName: string): KeySource =>
  Effect.gen(function*() {
    if (process.stdin.isTTY !== true) {
      const piped = (yield* Effect.promise(() => text(process.stdin))).trim()
      if (piped === "") {
        return yield* new CliFailure({ message: `No API key on stdin; pipe the key of ${instanceName} into 'dandi-effect auth login', or run it in a terminal to be asked for it` })
      }
      return Redacted.make(piped)
    }
    const typed = yield* Prompt.password({ message: `API key for ${instanceName}:` }).pipe(
      Effect.mapError(() => new CliFailure({ message: "Login cancelled; nothing was saved" }))
    )
    const key = Redacted.value(typed).trim()
    if (key === "") return yield* new CliFailure({ message: "No API key given; nothing was saved" })
    return Redacted.make(key)
  })

const tryStore = <A>(what: string, run: () => A) =>
  Effect.try({ try: run, catch: (error) => error }).pipe(
    Effect.mapError((error) => ({ what, reason: firstLine(error) }))
  )

/**
 * `auth login`: the key is checked with the archive, then saved.
 *
 * @since 0.1.0
 * @category commands
 */
export const login = <R>(options: {
  readonly instance: string
  readonly store: KeyStore
  readonly readKey: (instanceName: string) => Effect.Effect<Redacted.Redacted<string>, CliFailure, R>
}) =>
  Effect.gen(function*() {
    const instance = yield* target(options.instance)
    const key = yield* options.readKey(instance.name)
    const username = yield* accepted(instance.options, key)
    yield* tryStore("save", () => options.store.write(instance.service, TokenStore.username, Redacted.value(key))).pipe(
      Effect.mapError(({ reason }) =>
        new CliFailure({
          message: `${instance.name} accepted the key (user ${username}), but the ${options.store.name} could not save it (${reason}); set ${instance.variable} in your environment instead`
        })
      )
    )
    yield* Console.log(`Logged in to ${instance.name} as ${username}; the key is saved in the ${options.store.name}.`)
  })

/**
 * `auth logout`: the saved key is removed; an environment variable is mentioned, not touched.
 *
 * @since 0.1.0
 * @category commands
 */
export const logout = (options: { readonly instance: string; readonly store: KeyStore }) =>
  Effect.gen(function*() {
    const instance = yield* target(options.instance)
    const saved = yield* tryStore("read", () => options.store.read(instance.service, TokenStore.username))
    const had = saved !== null && saved !== undefined && saved !== ""
    if (had) yield* tryStore("remove", () => options.store.remove(instance.service, TokenStore.username))
    const setVariables = yield* variablesSet(instance.variables)
    const still = setVariables.length > 0
      ? ` ${setVariables[0]} is still set in your environment and will be used; unset it to log out fully.`
      : ""
    yield* Console.log(
      had
        ? `Logged out of ${instance.name}: removed the key saved in the ${options.store.name}.${still}`
        : `No key for ${instance.name} is saved in the ${options.store.name}.${still}`
    )
  }).pipe(
    Effect.catchIf(
      (error): error is { what: string; reason: string } => !(error instanceof CliFailure),
      ({ reason, what }) =>
        new CliFailure({ message: `The ${options.store.name} could not ${what} the key (${reason}); nothing was removed` })
    )
  )

const variablesSet = (variables: ReadonlyArray<string>) =>
  Effect.filter(variables, (variable) =>
    Config.option(Config.string(variable)).pipe(
      Effect.map(Option.exists((value) => value.trim() !== "")),
      Effect.orElseSucceed(() => false)
    ))

const variableKey = (variable: string) =>
  Config.redacted(variable).pipe(Effect.map((key) => Redacted.make(Redacted.value(key).trim())))

/**
 * `auth status`: which key `ls` and the SDK would use, and whether the archive accepts it.
 *
 * @since 0.1.0
 * @category commands
 */
export const status = (options: { readonly instance: string; readonly store: KeyStore }) =>
  Effect.gen(function*() {
    const instance = yield* target(options.instance)
    const [variable] = yield* variablesSet(instance.variables)
    const found: Option.Option<{ readonly key: Redacted.Redacted<string>; readonly source: string }> =
      variable !== undefined
        ? Option.some({ key: yield* Effect.orDie(variableKey(variable)), source: `the ${variable} environment variable` })
        : yield* tryStore("read", () => options.store.read(instance.service, TokenStore.username)).pipe(
          Effect.map((saved) =>
            saved === null || saved === undefined || saved === ""
              ? Option.none()
              : Option.some({ key: Redacted.make(saved), source: `the key saved in the ${options.store.name}` })
          ),
          // An unreadable keyring is a missing key, as for `ls`; say why.
          Effect.catchAll(({ reason }) =>
            Effect.as(Console.log(`The ${options.store.name} cannot be read (${reason}).`), Option.none())
          )
        )
    if (Option.isNone(found)) {
      return yield* Console.log(
        `Not logged in to ${instance.name}: set ${instance.variable}, or run 'dandi-effect auth login${
          options.instance === "dandi" ? "" : ` -i ${options.instance}`
        }'. Reading public data needs no key.`
      )
    }
    const username = yield* accepted(instance.options, found.value.key)
    yield* Console.log(`Logged in to ${instance.name} as ${username}, with ${found.value.source}.`)
  })

const instanceOption = Options.text("dandi-instance").pipe(
  Options.withAlias("i"),
  Options.withPseudoName("INSTANCE"),
  Options.withDefault("dandi"),
  Options.withDescription("Archive: a known name (see 'dandi-effect instances') or an API URL; default dandi")
)

/** The OS keyring, as dandi-cli uses it. */
const keyring: KeyStore = NodeTokenStore.keyringBackend

/**
 * @since 0.1.0
 * @category commands
 */
export const loginCommand = Command.make(
  "login",
  { instance: instanceOption },
  ({ instance }) => login({ instance, store: keyring, readKey })
).pipe(Command.withDescription("Check an API key with the archive and save it in the OS keyring (key read from stdin or a prompt)"))

/**
 * @since 0.1.0
 * @category commands
 */
export const logoutCommand = Command.make(
  "logout",
  { instance: instanceOption },
  ({ instance }) => logout({ instance, store: keyring })
).pipe(Command.withDescription("Remove the API key saved in the OS keyring for an archive"))

/**
 * @since 0.1.0
 * @category commands
 */
export const statusCommand = Command.make(
  "status",
  { instance: instanceOption },
  ({ instance }) => status({ instance, store: keyring })
).pipe(Command.withDescription("Show which API key would be used for an archive, and whether the archive accepts it"))

/**
 * @since 0.1.0
 * @category commands
 */
export const authSubcommands = [loginCommand, logoutCommand, statusCommand] as const

/**
 * @since 0.1.0
 * @category commands
 */
export const authCommand = Command.make("auth").pipe(
  Command.withDescription("Log in to an archive, log out, or show the login status (API keys in the OS keyring)"),
  Command.withSubcommands(authSubcommands)
)
