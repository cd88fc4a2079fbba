/**
 * Turning CLI inputs (seed name or file, fault file, tokens) into loopback-emulator options.
 * Every failure becomes a one-line {@link CliFailure} naming the file and the offending field.
 *
 * @since 0.1.0
 */
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import * as Faults from "@dandi-effect/core/testing/Faults"
import * as SeedFile from "@dandi-effect/core/testing/SeedFile"
import * as Synthetic from "@dandi-effect/core/testing/Synthetic"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { CliFailure } from "../cli/CliFailure.js"

/**
 * A seed ready to apply to a fresh archive, with its one-line description.
 *
 * @since 0.1.0
 * @category models
 */
export interface PreparedSeed {
  /** One line for the banner, e.g. `demo (dandisets 000001, 000002)`. */
  readonly description: string
  readonly apply: (admin: ArchiveAdmin) => Effect.Effect<void>
}

const readText = (label: string, path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError((error) => new CliFailure({ message: `${label} ${path}: cannot read it (${error.message})` }))
  )

/**
 * `--token` users first, then `demo`, `synthetic:N` (a benchmark archive) or a seed file's records.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepareSeed = (
  seed: string | undefined,
  tokens: ReadonlyArray<string>
): Effect.Effect<PreparedSeed, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const users = SeedFile.tokenUsers(tokens)
    const addUsers = (admin: ArchiveAdmin) => Effect.forEach(users, (user) => admin.addUser(user), { discard: true })
    if (seed === undefined) {
      return { description: "none (empty archive)", apply: addUsers }
    }
    if (seed === "demo") {
      const owners = users.map((user) => user.username)
      return {
        description: "demo (dandisets 000001 published + draft, 000002 empty draft)",
        apply: (admin) => Effect.zipRight(addUsers(admin), DemoSeed.apply(owners)(admin))
      }
    }
    const synthetic = /^synthetic:(\d+)$/.exec(seed)
    if (synthetic !== null) {
      const count = Number(synthetic[1])
      const owners = users.map((user) => user.username)
      return {
        description: `synthetic (dandiset 000001 with ${count} metadata-only assets)`,
        apply: (admin) =>
          Effect.gen(function*() {
            yield* addUsers(admin)
            yield* admin.addUser(DemoSeed.demoOwner)
            const { identifier } = yield* admin.createDandiset({
              identifier: "000001",
              name: `Synthetic: ${count} assets`,
              owners: [DemoSeed.demoOwner.username, ...owners]
            })
            yield* Synthetic.addTo(admin, identifier, { count })
          })
      }
    }
    const text = yield* readText("seed file", seed)
    const decoded = yield* SeedFile.decode(text).pipe(
      Effect.mapError((error) => new CliFailure({ message: error.message }))
    )
    return {
      description: `${seed} (${decoded.users.length} users, ${decoded.dandisets.length} dandisets)`,
      apply: (admin) => Effect.zipRight(addUsers(admin), SeedFile.apply(decoded)(admin))
    }
  })

/**
 * `--faults` takes a file, or the JSON itself when it starts with `{`; `--latency` adds a delay rule.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prepareFaults = (
  faults: string | undefined,
  latencyMs: number | undefined
): Effect.Effect<Faults.FaultPlan | undefined, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const latencyRules: ReadonlyArray<Faults.FaultRule> = latencyMs === undefined || latencyMs <= 0
      ? []
      : [{ target: "api", action: "delay", delayMs: latencyMs }]
    if (faults === undefined) return latencyRules.length === 0 ? undefined : { seed: 0, rules: latencyRules }
    const text = faults.trimStart().startsWith("{") ? faults : yield* readText("faults file", faults)
    const plan = yield* Faults.decodeFile(text).pipe(
      Effect.mapError((error) => new CliFailure({ message: error.message }))
    )
    return { seed: plan.seed, rules: [...latencyRules, ...plan.rules] }
  })
