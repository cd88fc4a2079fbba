/**
 * The `dandi-effect` command line: subcommands are defined one per module. `--help` is answered
 * by Help (full command path in the usage, optional parts marked, colour only on a terminal).
 */
import * as Command from "@effect/cli/Command"
import { packageVersion } from "@dandi-effect/core"
import * as Console from "effect/Console"
import { authCommand, authSubcommands } from "./AuthCommand.js"
import * as Colour from "./Colour.js"
import { demoCommand } from "./DemoCommand.js"
import { digestCommand } from "./DigestCommand.js"
import { downloadCommand } from "./DownloadCommand.js"
import { emulatorCommand } from "./EmulatorCommand.js"
import * as Help from "./Help.js"
import { instancesCommand } from "./InstancesCommand.js"
import { lsCommand } from "./LsCommand.js"
import { uploadCommand } from "./UploadCommand.js"

/** Every subcommand, in the order `--help` lists them. */
const commands = [demoCommand, digestCommand, downloadCommand, uploadCommand, emulatorCommand, lsCommand, instancesCommand, authCommand] as const

/**
 * @since 0.1.0
 * @category commands
 */
export const rootCommand = Command.make("dandi-effect").pipe(
  Command.withDescription("Effect-TS client for the DANDI Archive: list, download, upload, digest; an archive emulator for tests"),
  Command.withSubcommands(commands)
)

/**
 * The command tree as `--help` walks it (`auth` groups `login`, `logout`, `status`).
 *
 * @since 0.1.0
 * @category commands
 */
export const helpTree: Help.Node = Help.node(
  rootCommand,
  commands.map((command) =>
    Help.node(command, command === authCommand ? authSubcommands.map((sub) => Help.node(sub)) : [])
  )
)

const cliApp = Command.run(rootCommand, { name: "dandi-effect", version: packageVersion })

/**
 * @since 0.1.0
 * @category commands
 */
export const runCli = (argv: ReadonlyArray<string>) => {
  const path = Help.requested(helpTree, argv.slice(2))
  if (path === undefined) return cliApp(argv)
  return Console.log(Help.render(Help.commandHelp(path), { colour: Colour.wanted(process.stdout) }))
}
