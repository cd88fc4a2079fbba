import { Command } from "@effect/cli"
import { Console } from "effect"

// Placeholder until the digest command lands.
export const digestCommand = Command.make("digest", {}, () => Console.error("digest: not implemented yet"))
