import { Command } from "@effect/cli"
import { Console } from "effect"

// Placeholder until the ls command lands.
export const lsCommand = Command.make("ls", {}, () => Console.error("ls: not implemented yet"))
