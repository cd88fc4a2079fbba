/**
 * The `dandi-effect` command line: subcommands are defined one per module, and a command's
 * module is loaded only when that command runs. Start-up time is mostly module loading (Effect,
 * Schema classes, HTTP, YAML, the emulator), so `dandi-effect digest FILE` loads the digest
 * command alone, and the program's own `--help` is written from the one-line summaries below
 * without loading any command. Anything else (no command, an unknown one, `--version`) loads them
 * all, as one tree. `--help` is answered by Help (full command path in the usage, optional parts
 * marked, colour only on a terminal).
 */
import * as Command from "@effect/cli/Command"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import { packageVersion } from "@dandi-effect/core/PackageVersion"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Colour from "./Colour.js"
import * as Help from "./Help.js"

type AnyCommand = Help.Node["command"]

/**
 * A subcommand as its module defines it, with the subcommands it groups (`auth login`, …).
 *
 * @since 0.1.0
 * @category commands
 */
export interface LoadedCommand {
  readonly command: AnyCommand
  readonly children: ReadonlyArray<AnyCommand>
}

/**
 * A subcommand before its module is loaded: its name, the line the program's `--help` shows for
 * it (the command's own description; a test keeps the two equal), and how to load it.
 *
 * @since 0.1.0
 * @category commands
 */
export interface CommandEntry {
  readonly name: string
  readonly summary: string
  readonly load: () => Promise<LoadedCommand>
}

const alone = (command: AnyCommand): LoadedCommand => ({ command, children: [] })

/**
 * Every subcommand, in the order `--help` lists them.
 *
 * @since 0.1.0
 * @category commands
 */
export const commandIndex: ReadonlyArray<CommandEntry> = [
  {
    name: "demo",
    summary: "Tour the SDK against an embedded archive emulator: list, search, read and verify data",
    load: () => import("./DemoCommand.js").then((m) => alone(m.demoCommand))
  },
  {
    name: "digest",
    summary: "Print the digest of each local file or directory: PATH: DIGEST",
    load: () => import("./DigestCommand.js").then((m) => alone(m.digestCommand))
  },
  {
    name: "download",
    summary: "Download dandisets, folders or assets, verified and resumable",
    load: () => import("./DownloadCommand.js").then((m) => alone(m.downloadCommand))
  },
  {
    name: "upload",
    summary: "Upload files and directories to a dandiset's draft",
    load: () => import("./UploadCommand.js").then((m) => alone(m.uploadCommand))
  },
  {
    name: "emulator",
    summary: "Run the DANDI Archive emulator on 127.0.0.1 until interrupted",
    load: () => import("./EmulatorCommand.js").then((m) => alone(m.emulatorCommand))
  },
  {
    name: "ls",
    summary: "List dandisets, a dandiset's versions, or its assets, as a table or as JSON/YAML",
    load: () => import("./LsCommand.js").then((m) => alone(m.lsCommand))
  },
  {
    name: "instances",
    summary: "List the archives known by name, with their API and web URLs",
    load: () => import("./InstancesCommand.js").then((m) => alone(m.instancesCommand))
  },
  {
    name: "auth",
    summary: "Log in to an archive, log out, or show the login status (API keys in the OS keyring)",
    load: () => import("./AuthCommand.js").then((m) => ({ command: m.authCommand, children: m.authSubcommands }))
  }
]

const rootDescription =
  "Effect-TS client for the DANDI Archive: list, download, upload, digest; an archive emulator for tests"

/**
 * A root command over `subcommands` and the tree `--help` walks.
 *
 * @since 0.1.0
 * @category commands
 */
export interface CommandTree {
  readonly root: AnyCommand
  readonly helpTree: Help.Node
}

const treeOf = (loaded: readonly [LoadedCommand, ...Array<LoadedCommand>]): CommandTree => {
  const root = Command.make("dandi-effect").pipe(
    Command.withDescription(rootDescription),
    Command.withSubcommands(
      loaded.map((entry) => entry.command) as unknown as readonly [AnyCommand, ...Array<AnyCommand>]
    )
  )
  return {
    root,
    helpTree: Help.node(root, loaded.map((entry) => Help.node(entry.command, entry.children.map((child) => Help.node(child)))))
  }
}

const loadEntries = (entries: readonly [CommandEntry, ...Array<CommandEntry>]) =>
  Effect.map(
    Effect.promise(() => Promise.all(entries.map((entry) => entry.load()))),
    (loaded) => treeOf(loaded as [LoadedCommand, ...Array<LoadedCommand>])
  )

/**
 * The whole command tree, every command's module loaded.
 *
 * @since 0.1.0
 * @category commands
 */
export const loadCommandTree: Effect.Effect<CommandTree> = loadEntries(
  commandIndex as readonly [CommandEntry, ...Array<CommandEntry>]
)

/**
 * The program's own `--help` tree, built from the summaries alone: no command module is loaded.
 *
 * @since 0.1.0
 * @category commands
 */
export const summaryTree: Help.Node = treeOf(
  commandIndex.map((entry) => alone(Command.make(entry.name).pipe(Command.withDescription(entry.summary)))) as [
    LoadedCommand,
    ...Array<LoadedCommand>
  ]
).helpTree

const printHelp = (path: ReadonlyArray<Help.Node>) =>
  Console.log(Help.render(Help.commandHelp(path), { colour: Colour.wanted(process.stdout) }))

/**
 * Runs the command line `argv` (as `process.argv`). Each command provides what it needs beyond
 * the Node context (files, terminal) itself.
 *
 * @since 0.1.0
 * @category commands
 */
export const runCli = (argv: ReadonlyArray<string>): Effect.Effect<void, unknown, NodeContext.NodeContext> =>
  Effect.gen(function*() {
    const args = argv.slice(2)
    const entry = commandIndex.find((candidate) => candidate.name === args[0])
    if (entry === undefined && Help.requested(summaryTree, args)?.length === 1) return yield* printHelp([summaryTree])
    const tree = yield* (entry === undefined ? loadCommandTree : loadEntries([entry]))
    const path = Help.requested(tree.helpTree, args)
    if (path !== undefined) return yield* printHelp(path)
    return yield* Command.run(tree.root, { name: "dandi-effect", version: packageVersion })(argv)
  })
