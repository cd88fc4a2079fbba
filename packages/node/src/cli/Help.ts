/**
 * `--help` as a dandi-cli user reads it:
 *
 * ```text
 * Usage: dandi-effect ls [OPTIONS] [TARGET]
 *
 *   List dandisets, a dandiset's versions, or its assets, …
 *
 * Arguments:
 *   [TARGET]                        What to list: …
 *
 * Options:
 *   -i, --dandi-instance INSTANCE   Archive to list: … (optional)
 * ```
 *
 * The text comes from each command's own descriptions (@effect/cli's HelpDoc), laid out here:
 * the full command path in the usage line, optional arguments and options marked as such, and
 * without the parser's type blurbs ("A user-defined piece of text."), which say nothing the usage
 * does not. Headers are bold only when colour is wanted.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commands of every shape share one help tree
type AnyCommand = Command.Command<any, any, any, any>

/**
 * A command and the subcommands it groups (for `auth login`, …).
 *
 * @since 0.1.0
 * @category commands
 */
export interface Node {
  readonly command: AnyCommand
  readonly children: ReadonlyArray<Node>
}

/**
 * @since 0.1.0
 * @category commands
 */
export const node = (command: AnyCommand, children: ReadonlyArray<Node> = []): Node => ({
  command,
  children
})

const config = CliConfig.make({ showBuiltIns: false })

const nameOf = (node: Node): string => {
  const names = [...Command.getNames(node.command)]
  return names[0] ?? ""
}

/**
 * The command path a `--help`/`-h` in `args` asks about (`[]` for the program itself), or
 * undefined when no help is asked for. Arguments after `--` are never flags.
 *
 * @since 0.1.0
 * @category commands
 */
export const requested = (root: Node, args: ReadonlyArray<string>): ReadonlyArray<Node> | undefined => {
  const end = args.indexOf("--")
  const flags = end === -1 ? args : args.slice(0, end)
  if (!flags.includes("--help") && !flags.includes("-h")) return undefined
  const path: Array<Node> = [root]
  for (const arg of flags) {
    const current = path[path.length - 1]!
    const child = current.children.find((candidate) => nameOf(candidate) === arg)
    if (child === undefined) {
      if (arg.startsWith("-")) continue
      break
    }
    path.push(child)
  }
  return path
}

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
  }
}

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Empty":
    case "Header":
      return []
    case "Paragraph":
      return [spanText(doc.value)]
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(paragraphs)
    case "DescriptionList":
      return doc.definitions.flatMap(([, body]) => paragraphs(body))
  }
}

/** The command's help as sections: the text after each header. */
const sections = (doc: HelpDoc.HelpDoc): Map<string, Array<HelpDoc.HelpDoc>> => {
  const result = new Map<string, Array<HelpDoc.HelpDoc>>()
  let current: Array<HelpDoc.HelpDoc> | undefined
  const walk = (part: HelpDoc.HelpDoc): void => {
    if (part._tag === "Sequence") {
      walk(part.left)
      walk(part.right)
    } else if (part._tag === "Header") {
      current = []
      result.set(spanText(part.value), current)
    } else if (part._tag !== "Empty") {
      current?.push(part)
    }
  }
  walk(doc)
  return result
}

/**
 * One argument or option: its names, whether it may be left out, and what it is for.
 *
 * @since 0.1.0
 * @category commands
 */
export interface Entry {
  readonly names: string
  readonly optional: boolean
  readonly description: string
}

const optionalMarker = /^This setting is optional\.\s*/
const repeatMarker = /^This (?:option|argument) (?:may|must) be repeated/
const typeNames = new Set(["text", "integer", "float", "date", "path", "file", "directory"])

/**
 * An entry's names as a dandi-cli user writes them: `(-i, --dandi-instance INSTANCE)` and
 * `<TARGET>` read as `-i, --dandi-instance INSTANCE` and `TARGET`, a repeatable one ends in
 * `...`, and a value named only by its type reads `--port INTEGER`.
 */
const entryNames = (span: Span.Span): string =>
  spanText(span)
    .trim()
    .replace(/^\((.*)\)$/, "$1")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/ \d+\+$/, "...")
    .split(" ")
    .map((word) => {
      const base = word.replace(/\.\.\.$/, "")
      return typeNames.has(base) ? word.toUpperCase() : word
    })
    .join(" ")

/**
 * The entries of a description list. @effect/cli opens each entry with a sentence about the
 * value's type, and closes it with what the usage already shows ("This setting is optional.",
 * "This option may be repeated…"): the first is dropped when a description of our own follows,
 * the others become the `[…]` and `...` marks.
 */
const entries = (docs: ReadonlyArray<HelpDoc.HelpDoc>): Array<Entry> =>
  docs.flatMap((doc) =>
    doc._tag !== "DescriptionList" ? [] : doc.definitions.map(([span, body]): Entry => {
      const texts = paragraphs(body)
      const optional = texts.some((text) => optionalMarker.test(text) || /repeated zero or more times/.test(text))
      const defaults = texts.map((text) => /Defaults to: (.*)$/.exec(text)?.[1]).find((value) => value !== undefined)
      const own = texts.filter((text) => !optionalMarker.test(text) && !repeatMarker.test(text)).slice(1)
      const description = [...own, ...(defaults === undefined ? [] : [`(default: ${defaults})`])].join(" ")
      return { names: entryNames(span), optional, description }
    })
  )

/**
 * What `--help` shows for one command, in a form tests and renderers can read.
 *
 * @since 0.1.0
 * @category commands
 */
export interface CommandHelp {
  readonly path: ReadonlyArray<string>
  readonly description: string
  readonly arguments: ReadonlyArray<Entry>
  readonly options: ReadonlyArray<Entry>
  readonly commands: ReadonlyArray<{ readonly name: string; readonly description: string }>
}

const describe = (node: Node): string => {
  const description = sections(Command.getHelp(node.command, config)).get("DESCRIPTION") ?? []
  return description.flatMap(paragraphs).join(" ")
}

/**
 * The help of the last command of `path` (as `requested` returns it).
 *
 * @since 0.1.0
 * @category commands
 */
export const commandHelp = (path: ReadonlyArray<Node>): CommandHelp => {
  const target = path[path.length - 1]!
  const parts = sections(Command.getHelp(target.command, config))
  const builtIn: Array<Entry> = [
    { names: "-h, --help", optional: true, description: "Show this help and exit" },
    ...(path.length === 1 ? [{ names: "--version", optional: true, description: "Show the version and exit" }] : [])
  ]
  return {
    path: path.map(nameOf),
    description: describe(target),
    arguments: entries(parts.get("ARGUMENTS") ?? []),
    options: [...entries(parts.get("OPTIONS") ?? []), ...builtIn],
    commands: target.children.map((child) => ({ name: nameOf(child), description: describe(child) }))
  }
}

const bold = (text: string, colour: boolean) => (colour ? `\u001b[1m${text}\u001b[22m` : text)

const table = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)), 34)
  return rows.map(([left, right]) =>
    left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`.trimEnd()
  )
}

const argumentUsage = (entry: Entry) => (entry.optional ? `[${entry.names}]` : entry.names)

/**
 * The help text; headers in bold when `colour`.
 *
 * @since 0.1.0
 * @category commands
 */
export const render = (help: CommandHelp, options: { readonly colour: boolean }): string => {
  const usage = [
    "dandi-effect",
    ...help.path.slice(1),
    ...(help.options.length > 0 ? ["[OPTIONS]"] : []),
    ...(help.commands.length > 0 ? ["COMMAND [ARGS]..."] : []),
    ...help.arguments.map(argumentUsage)
  ].join(" ")
  const lines = [`${bold("Usage:", options.colour)} ${usage}`, "", `  ${help.description}`]
  if (help.arguments.length > 0) {
    lines.push("", bold("Arguments:", options.colour), ...table(help.arguments.map((entry) => [argumentUsage(entry), entry.description])))
  }
  if (help.options.length > 0) {
    lines.push(
      "",
      bold("Options:", options.colour),
      ...table(help.options.map((entry) => [entry.names, entry.optional ? entry.description : `${entry.description} (required)`]))
    )
  }
  if (help.commands.length > 0) {
    lines.push("", bold("Commands:", options.colour), ...table(help.commands.map((command) => [command.name, command.description])))
    lines.push("", `Run 'dandi-effect ${[...help.path.slice(1), "COMMAND"].join(" ")} --help' for a command's options.`)
  }
  return lines.join("\n")
}
