/**
 * `--help` for every command: real one-line descriptions (none of the parser's type blurbs), the
 * full command path in the usage line, optional parts marked, and colour only on a terminal
 * with NO_COLOR unset — checked on the real binary, through a pipe and through a pseudo-terminal.
 */
import * as Colour from "../src/cli/Colour.js"
import * as Help from "../src/cli/Help.js"
import { commandIndex, loadCommandTree, summaryTree } from "../src/cli/Main.js"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/dandi-effect.js", import.meta.url))

const escape = "\u001b["

const { helpTree } = await Effect.runPromise(loadCommandTree)

/** Every command path of the tree: `[root]`, `[root, ls]`, `[root, auth, login]`, … */
const paths = (node: Help.Node, above: ReadonlyArray<Help.Node> = []): Array<ReadonlyArray<Help.Node>> => {
  const path = [...above, node]
  return [path, ...node.children.flatMap((child) => paths(child, path))]
}

const parserFiller = /user-defined piece of text|A true or false value|An integer|A floating point number|One of the following/

describe("dandi-effect --help", () => {
  it("covers the commands users expect", () => {
    const names = paths(helpTree).map((path) => Help.commandHelp(path).path.join(" "))
    expect(names).toEqual(expect.arrayContaining([
      "dandi-effect ls",
      "dandi-effect digest",
      "dandi-effect instances",
      "dandi-effect auth login",
      "dandi-effect auth logout",
      "dandi-effect auth status"
    ]))
  })

  it.each(paths(helpTree).map((path) => [Help.commandHelp(path).path.join(" "), path] as const))(
    "%s: a description for the command and for each argument and option, none of them filler",
    (_name, path) => {
      const help = Help.commandHelp(path)
      expect(help.description.length).toBeGreaterThan(10)
      for (const entry of [...help.arguments, ...help.options]) {
        expect(entry.description, entry.names).not.toBe("")
        expect(entry.description, entry.names).not.toMatch(parserFiller)
      }
      for (const command of help.commands) expect(command.description, command.name).not.toBe("")
      const text = Help.render(help, { colour: false })
      expect(text).not.toMatch(parserFiller)
      expect(text.split("\n")[0]).toMatch(new RegExp(`^Usage: ${help.path.join(" ")}( |$)`))
      expect(text.split("\n").every((line) => line === line.trimEnd())).toBe(true)
    }
  )

  it("ls: usage with the program's name, TARGET and options marked optional, no escapes in a pipe", () => {
    const result = spawnSync(process.execPath, [bin, "ls", "--help"], { encoding: "utf8" })
    expect(result.status).toBe(0)
    expect(result.stdout).not.toContain(escape)
    const [usage] = result.stdout.split("\n")
    expect(usage).toBe("Usage: dandi-effect ls [OPTIONS] [TARGET]")
    expect(result.stdout).toMatch(/-i, --dandi-instance INSTANCE\s+Instance: a known name/)
    expect(result.stdout).not.toContain("(required)")
  })

  // util-linux `script` gives the command a pseudo-terminal, as a user's shell would.
  const onTerminal = (env: Record<string, string>) =>
    spawnSync("script", ["-qec", `"${process.execPath}" "${bin}" ls --help`, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "", ...env }
    })

  it("on a terminal the headers are bold, unless NO_COLOR is set", () => {
    const coloured = onTerminal({})
    expect(coloured.status).toBe(0)
    expect(coloured.stdout).toContain(`${escape}1mUsage:`)
    const plain = onTerminal({ NO_COLOR: "1" })
    expect(plain.status).toBe(0)
    expect(plain.stdout).toContain("Usage: dandi-effect ls")
    expect(plain.stdout).not.toContain(escape)
  })

  it("the program's --help, written from the summaries without loading any command, is the one the loaded commands give", () => {
    expect(commandIndex.map((entry) => entry.name)).toEqual(helpTree.children.map((child) => Help.commandHelp([helpTree, child]).path[1]))
    for (const colour of [false, true]) {
      expect(Help.render(Help.commandHelp([summaryTree]), { colour })).toBe(Help.render(Help.commandHelp([helpTree]), { colour }))
    }
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" })
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(`${Help.render(Help.commandHelp([helpTree]), { colour: false })}\n`)
  })

  it("colour is wanted only on a terminal and without NO_COLOR", () => {
    expect(Colour.wanted({ isTTY: true }, {})).toBe(true)
    expect(Colour.wanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(Colour.wanted({ isTTY: false }, {})).toBe(false)
    expect(Colour.wanted({}, {})).toBe(false)
  })
})
