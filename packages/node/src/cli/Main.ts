/**
 * The `dandi-effect` command line: subcommands are defined one per module.
 */
import * as Command from "@effect/cli/Command"
import { packageVersion } from "@dandi-effect/core"
import { demoCommand } from "./DemoCommand.js"
import { digestCommand } from "./DigestCommand.js"
import { downloadCommand } from "./DownloadCommand.js"
import { emulatorCommand } from "./EmulatorCommand.js"
import { lsCommand } from "./LsCommand.js"
import { uploadCommand } from "./UploadCommand.js"

/**
 * `dandi-effect` with its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const rootCommand = Command.make("dandi-effect").pipe(
  Command.withDescription("Effect-TS client for the DANDI Archive"),
  Command.withSubcommands([demoCommand, digestCommand, downloadCommand, emulatorCommand, lsCommand, uploadCommand])
)

/**
 * Runs the CLI on the process's arguments.
 *
 * @since 0.1.0
 * @category commands
 */
export const runCli = Command.run(rootCommand, { name: "dandi-effect", version: packageVersion })
