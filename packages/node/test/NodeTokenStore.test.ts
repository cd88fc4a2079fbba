import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, Option, Redacted } from "effect"
import { TokenStore } from "@dandi-effect/core/TokenStore"
import type { SyncBackend } from "@dandi-effect/core/TokenStore"
import * as NodeTokenStore from "@dandi-effect/node/NodeTokenStore"

const token = "0123456789abcdef0123456789abcdef01234567"

/** A working keyring in memory, keyed like the OS keyring is. */
const fakeKeyring = () => {
  const entries = new Map<string, string>()
  const backend: SyncBackend = {
    name: "fake keyring",
    read: (service, user) => entries.get(`${service}|${user}`) ?? null,
    write: (service, user, secret) => {
      entries.set(`${service}|${user}`, secret)
    },
    remove: (service, user) => {
      entries.delete(`${service}|${user}`)
    }
  }
  return { backend, entries }
}

const brokenKeyring: SyncBackend = {
  name: "OS keyring",
  read: () => null,
  write: () => {
    throw new Error("Couldn't access platform storage: AccessDenied\n\nCaused by:\n    AccessDenied")
  },
  remove: () => {
    throw new Error("Couldn't access platform storage: AccessDenied")
  }
}

const captureWarnings = () => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { warnings, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("NodeTokenStore", () => {
  it.effect("stores under dandi-cli's keyring entry: service dandi-api-{instance}, username key", () => {
    const { backend, entries } = fakeKeyring()
    return Effect.gen(function*() {
      const store = yield* TokenStore
      yield* store.set("dandi-sandbox", Redacted.make(token))
      expect([...entries]).toEqual([["dandi-api-dandi-sandbox|key", token]])
      yield* store.delete("dandi-sandbox")
      expect(entries.size).toBe(0)
    }).pipe(Effect.provide(NodeTokenStore.layerWith(backend)))
  })

  it.effect("reads a key another tool saved in the keyring", () => {
    const { backend, entries } = fakeKeyring()
    entries.set("dandi-api-dandi|key", token)
    return Effect.gen(function*() {
      const store = yield* TokenStore
      expect(Option.map(yield* store.get("dandi"), Redacted.value)).toEqual(Option.some(token))
      expect(Option.isNone(yield* store.get("linc"))).toBe(true)
    }).pipe(Effect.provide(NodeTokenStore.layerWith(backend)))
  })

  it.effect("falls back to memory with one warning when the keyring is unavailable", () => {
    const { layer, warnings } = captureWarnings()
    return Effect.gen(function*() {
      const store = yield* TokenStore
      yield* store.set("dandi", Redacted.make(token))
      yield* store.set("linc", Redacted.make(token))
      expect(Option.map(yield* store.get("dandi"), Redacted.value)).toEqual(Option.some(token))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("in memory for this run only")
      expect(warnings[0]).toContain("Couldn't access platform storage")
      expect(warnings[0]).not.toContain(token)
    }).pipe(Effect.provide(NodeTokenStore.layerWith(brokenKeyring)), Effect.provide(layer))
  })

  it.effect("works on this machine's real keyring, or its fallback", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore
      const instance = `dandi-effect-test-${process.pid}`
      yield* store.set(instance, Redacted.make(token))
      expect(Option.map(yield* store.get(instance), Redacted.value)).toEqual(Option.some(token))
      yield* store.delete(instance)
      expect(Option.isNone(yield* store.get(instance))).toBe(true)
    }).pipe(Effect.provide(NodeTokenStore.layer)))
})
