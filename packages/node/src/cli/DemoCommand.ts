import { Command } from "@effect/cli"
import { Console } from "effect"

// Placeholder until the demo command lands.
export const demoCommand = Command.make("demo", {}, () => Console.error("demo: not implemented yet"))
