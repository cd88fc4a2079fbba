import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import * as SchemaVersion from "@dandi-effect/core/SchemaVersion"

const check = SchemaVersion.checkSchemaVersion

const failureMessage = (result: ReturnType<typeof check>): string => {
  if (Either.isRight(result)) throw new Error(`expected a SchemaVersionError, got ${result.right}`)
  expect(result.left._tag).toBe("SchemaVersionError")
  return result.left.message
}

describe("SchemaVersion", () => {
  it("speaks dandischema 0.7.0 and lists the allowed input schemas of spec §9.5", () => {
    expect(SchemaVersion.DANDI_SCHEMA_VERSION).toBe("0.7.0")
    expect(SchemaVersion.ALLOWED_INPUT_SCHEMAS).toStrictEqual([
      "0.4.4", "0.5.1", "0.5.2", "0.6.0", "0.6.1", "0.6.2", "0.6.3", "0.6.4", "0.6.5", "0.6.6", "0.6.7", "0.6.8", "0.6.9", "0.6.10", "0.7.0"
    ])
  })

  describe("the vectors of spec §9.5 (test_check_schema_version)", () => {
    it("0.7.0 server, default client: ok", () => {
      expect(check("0.7.0")).toStrictEqual(Either.right("same"))
      expect(check("0.7.0", "0.7.0")).toStrictEqual(Either.right("same"))
    })
    it("0.6.7 server, 0.6.7 client: ok", () => {
      expect(Either.isRight(check("0.6.7", "0.6.7"))).toBe(true)
    })
    it("4.5.6 server, 4.5.5 client: not among the allowed upgradable versions", () => {
      expect(failureMessage(check("4.5.6", "4.5.5"))).toMatch(
        /^Server uses schema version 4\.5\.6; client only supports prior 4\.5\.5 and it is not among any of the allowed upgradable schema versions/
      )
    })
    it("0.6.7 server, 0.3.0 client: client only supports prior", () => {
      const message = failureMessage(check("0.6.7", "0.3.0"))
      expect(message).toMatch(/^Server uses schema version 0\.6\.7; client only supports prior 0\.3\.0/)
      expect(message).toContain("(0.4.4, 0.5.1, 0.5.2, 0.6.0, 0.6.1, 0.6.2, 0.6.3, 0.6.4, 0.6.5, 0.6.6, 0.6.7, 0.6.8, 0.6.9, 0.6.10, 0.7.0)")
      expect(message).toMatch(/You may need to upgrade dandi and\/or dandischema\.$/)
    })
    it("0.6.7 server, 0.6.6 client: ok, because 0.6.6 is listed", () => {
      expect(check("0.6.7", "0.6.6")).toStrictEqual(Either.right("server-newer-allowed"))
    })
    it("0.6.7 server, 0.7.0 client: older incompatible", () => {
      expect(failureMessage(check("0.6.7", "0.7.0"))).toBe("Server uses older incompatible schema version 0.6.7; client supports 0.7.0.")
    })
    it("1.0.0 server, 1.2.3 client: ok", () => {
      expect(check("1.0.0", "1.2.3")).toStrictEqual(Either.right("server-older"))
    })
    it("1.6.7 server, 1.7.0 client: ok", () => {
      expect(Either.isRight(check("1.6.7", "1.7.0"))).toBe(true)
    })
    it("1.6.7 server, 1.8.3 client: ok", () => {
      expect(Either.isRight(check("1.6.7", "1.8.3"))).toBe(true)
    })
    it("1.6.7 server, 2.7.0 client: older incompatible", () => {
      expect(failureMessage(check("1.6.7", "2.7.0"))).toBe("Server uses older incompatible schema version 1.6.7; client supports 2.7.0.")
    })
  })

  it("compares versions numerically, not as strings (0.6.10 is newer than 0.6.9)", () => {
    // As strings "0.6.10" < "0.6.9"; numerically the server is newer, so the allowed list decides.
    expect(check("0.6.10", "0.6.9", ["0.6.9"])).toStrictEqual(Either.right("server-newer-allowed"))
    expect(Either.isLeft(check("0.6.10", "0.6.9", []))).toBe(true)
    expect(SchemaVersion.compareVersions([0, 6, 10], [0, 6, 9])).toBe(1)
    expect(SchemaVersion.compareVersions([1, 0], [1, 0, 0])).toBe(0)
  })

  it("uses the server's allowed list when given instead of the built-in one", () => {
    expect(Either.isLeft(check("0.8.0", "0.7.0", ["0.6.0"]))).toBe(true)
    expect(Either.isRight(check("0.8.0", "0.7.0", ["0.7.0"]))).toBe(true)
  })

  it("a missing or empty server version is an error that says where it was expected", () => {
    expect(failureMessage(check(undefined))).toMatch(/^Server did not provide schema_version in \/info\//)
    expect(failureMessage(check(""))).toMatch(/^Server did not provide schema_version/)
  })

  it("a malformed version is an error naming the bad value", () => {
    expect(failureMessage(check("seven"))).toContain('"seven"')
    expect(failureMessage(check("0.7.0", "latest"))).toContain('"latest"')
  })

  it.effect("fails an effect with SchemaVersionError when yielded", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.gen(function*() {
        return yield* check("0.6.7", "0.7.0")
      }))
      expect(Exit.isFailure(exit)).toBe(true)
      const ok = yield* check("0.7.0")
      expect(ok).toBe("same")
    }))

  describe("checkServerInfo", () => {
    it("uses the server's schema_version and allowed_schema_versions", () => {
      expect(SchemaVersion.checkServerInfo({ schema_version: "0.7.0", allowed_schema_versions: ["0.7.0"] })).toStrictEqual(
        Either.right("same")
      )
      expect(Either.isLeft(SchemaVersion.checkServerInfo({ schema_version: "0.8.0", allowed_schema_versions: ["0.7.1"] }))).toBe(true)
      expect(Either.isRight(SchemaVersion.checkServerInfo({ schema_version: "0.8.0", allowed_schema_versions: ["0.7.0"] }))).toBe(true)
    })
    it("falls back to ALLOWED_INPUT_SCHEMAS when the server lists none", () => {
      expect(SchemaVersion.checkServerInfo({ schema_version: "0.6.7" }, "0.6.6")).toStrictEqual(Either.right("server-newer-allowed"))
      expect(Either.isLeft(SchemaVersion.checkServerInfo({}, "0.7.0"))).toBe(true)
    })
  })
})
