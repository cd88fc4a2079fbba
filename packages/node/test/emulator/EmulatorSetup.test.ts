import * as Hasher from "@dandi-effect/core/Hasher"
import * as EmulatorSetup from "@dandi-effect/node/emulator/EmulatorSetup"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("EmulatorSetup.prepareFaults", () => {
  it.effect("turns --latency into a delay rule on every API request", () =>
    Effect.gen(function*() {
      const plan = yield* EmulatorSetup.prepareFaults(undefined, 250)
      expect(plan?.rules).toEqual([{ target: "api", action: "delay", delayMs: 250 }])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("accepts inline JSON and keeps its seed, latency first", () =>
    Effect.gen(function*() {
      const plan = yield* EmulatorSetup.prepareFaults(
        JSON.stringify({ seed: 9, rules: [{ target: "s3", action: "expire" }] }),
        10
      )
      expect(plan?.seed).toBe(9)
      expect(plan?.rules.map((rule) => rule.action)).toEqual(["delay", "expire"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("has no plan without faults or latency", () =>
    Effect.gen(function*() {
      expect(yield* EmulatorSetup.prepareFaults(undefined, undefined)).toBeUndefined()
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("reports a missing field of inline JSON by name", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(EmulatorSetup.prepareFaults("{\"rules\": [{\"target\": \"api\"}]}", undefined))
      expect(error.message).toBe("faults file: rules[0].action: required")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("EmulatorSetup.prepareSeed", () => {
  it.scoped("synthetic:N builds dandiset 000001 with N assets owned by the --token users", () =>
    Effect.gen(function*() {
      const prepared = yield* EmulatorSetup.prepareSeed("synthetic:1500", ["key-1"])
      const loopback = yield* LoopbackServer.make({ seed: prepared.apply })
      const page = yield* Effect.promise(() =>
        fetch(`${loopback.apiUrl}/dandisets/000001/versions/draft/assets/?page_size=1`).then((r) => r.json())
      )
      expect(page.count).toBe(1500)
      const owners = yield* Effect.promise(() =>
        fetch(`${loopback.apiUrl}/dandisets/000001/users/`).then((r) => r.json() as Promise<Array<{ username: string }>>)
      )
      expect(owners.map((owner) => owner.username)).toContain("user-1")
    }).pipe(Effect.provide([NodeFileSystem.layer, Hasher.layerPortable])))
})
