import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, Option, Redacted } from "effect"
import { TokenStore } from "@dandi-effect/core/TokenStore"
import * as BrowserTokenStore from "@dandi-effect/browser/BrowserTokenStore"

const token = "0123456789abcdef0123456789abcdef01234567"

/** The Web Storage interface over a Map, as a page's localStorage behaves. */
const memoryStorage = (): Storage => {
  const items = new Map<string, string>()
  return {
    get length() {
      return items.size
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => {
      items.delete(key)
    },
    setItem: (key, value) => {
      items.set(key, value)
    }
  }
}

describe("BrowserTokenStore", () => {
  it.effect("keeps the key in Web Storage under dandi-api-{instance}/key", () => {
    const storage = memoryStorage()
    return Effect.gen(function*() {
      const store = yield* TokenStore
      yield* store.set("dandi", Redacted.make(token))
      expect(storage.getItem("dandi-api-dandi/key")).toBe(token)
      yield* store.delete("dandi")
      expect(storage.length).toBe(0)
    }).pipe(Effect.provide(BrowserTokenStore.layerWith(() => storage)))
  })

  it.effect("reads a key stored by an earlier session", () => {
    const storage = memoryStorage()
    storage.setItem("dandi-api-linc/key", token)
    return Effect.gen(function*() {
      const store = yield* TokenStore
      expect(Option.map(yield* store.get("linc"), Redacted.value)).toEqual(Option.some(token))
    }).pipe(Effect.provide(BrowserTokenStore.layerWith(() => storage)))
  })

  it.effect("falls back to memory, with a warning, where there is no localStorage", () => {
    const warnings: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    return Effect.gen(function*() {
      const store = yield* TokenStore
      yield* store.set("dandi", Redacted.make(token))
      expect(Option.map(yield* store.get("dandi"), Redacted.value)).toEqual(Option.some(token))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("DANDI_API_KEY")
    }).pipe(
      // Node has no localStorage: exactly the situation of a worker or a sandboxed frame.
      Effect.provide(BrowserTokenStore.layer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger))
    )
  })
})
