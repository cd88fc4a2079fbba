import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { DandiError } from "@dandi-effect/core"

describe("DandiError", () => {
  it("recognises every SDK error and nothing else", () => {
    const notFound = new DandiError.NotFoundError({ message: "No such Dandiset: '000999'", resource: "dandiset", id: "000999" })
    expect(DandiError.isDandiError(notFound)).toBe(true)
    expect(DandiError.isDandiError(new Error("plain"))).toBe(false)
    expect(DandiError.isDandiError({ _tag: "SomethingElse" })).toBe(false)
  })

  it.effect("round-trips through its schema, so errors can cross process boundaries", () =>
    Effect.gen(function*() {
      const original = new DandiError.ServerError({
        message: "The archive answered 503 five times; try again later",
        status: 503,
        method: "GET",
        url: "https://api.dandiarchive.org/api/dandisets/",
        detail: "busy"
      })
      const encoded = yield* Schema.encode(DandiError.DandiError)(original)
      const decoded = yield* Schema.decodeUnknown(DandiError.DandiError)(JSON.parse(JSON.stringify(encoded)))
      expect(decoded).toBeInstanceOf(DandiError.ServerError)
      expect(decoded.message).toBe(original.message)
      const bad = Schema.decodeUnknownEither(DandiError.DandiError)({ _tag: "ServerError", message: "x" })
      expect(Either.isLeft(bad)).toBe(true)
    }))
})
