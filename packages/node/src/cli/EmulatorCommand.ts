import { Command } from "@effect/cli"
import { Console } from "effect"

// Placeholder until the emulator command lands.
export const emulatorCommand = Command.make("emulator", {}, () => Console.error("emulator: not implemented yet"))
