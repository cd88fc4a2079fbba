/**
 * `dandi-effect instances [-f FORMAT]` — the archives known by name (dandi-cli's
 * `dandi instances`): each name with its API and web URLs, and the variable that holds its API
 * key. `dandi-api-local-docker-tests` lives on `DANDI_INSTANCEHOST` (default localhost).
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as DandiInstance from "@dandi-effect/core/DandiInstance"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as LsFormat from "./LsFormat.js"

const instanceTable: LsFormat.TableKind = {
  columns: [
    { title: "NAME", width: 28 },
    { title: "API", width: 46 },
    { title: "WEB", width: 0 }
  ]
}

/**
 * The known instances as listed records: `{name, api, gui, api_key_variable}`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listed = (instanceHost: string | undefined): ReadonlyArray<LsFormat.Listed> =>
  DandiInstance.knownInstances(instanceHost).map((instance) => ({
    kind: instanceTable,
    json: { name: instance.name, api: instance.api, gui: instance.gui, api_key_variable: instance.apiKeyEnvVar },
    cells: [instance.name, instance.api, instance.gui ?? "—"]
  }))

const formatOption = Options.choice("format", LsFormat.formats).pipe(
  Options.withAlias("f"),
  Options.withDescription("Output format: table (the default), json, json_pp (indented), json_lines or yaml"),
  Options.optional
)

/**
 * @since 0.1.0
 * @category commands
 */
export const instancesCommand = Command.make("instances", { format: formatOption }, ({ format }) =>
  LsFormat.render(
    Stream.fromIterable(listed(process.env.DANDI_INSTANCEHOST || undefined)),
    Option.getOrElse(format, () => "table" as const)
  ).pipe(Stream.runForEach((line) => Console.log(line)), Effect.asVoid)).pipe(
    Command.withDescription("List the archives known by name, with their API and web URLs")
  )
