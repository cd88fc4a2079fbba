/**
 * Where an API key may go (issue: a pasted link must not collect the user's key): the variable
 * an instance's key is read from, and `connectionFor`, the one rule the CLI and SDK users apply
 * to a target and the instance the user chose.
 */
import { apiKeyVariable } from "@dandi-effect/core/DandiInstance"
import { connectionFor, parseDandiUrl } from "@dandi-effect/core/DandiUrl"
import type { DandiTarget } from "@dandi-effect/core/DandiUrl"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"

const settable = /^[A-Za-z_][A-Za-z0-9_]*$/

const target = (text: string, defaultInstance?: string) => {
  const parsed = Either.getOrThrow(parseDandiUrl(text, defaultInstance === undefined ? {} : { defaultInstance }))
  if (parsed._tag === "NeedsRedirect") throw new Error(`${text} needs a redirect`)
  return parsed as Exclude<DandiTarget, { readonly _tag: "NeedsRedirect" }>
}

const connect = (text: string, chosen: string | undefined) =>
  connectionFor(target(text, chosen).instance, chosen, { target: text })

describe("apiKeyVariable", () => {
  it("an instance chosen by name reads its own {NAME}_API_KEY", () => {
    expect(apiKeyVariable("dandi", "name")).toBe("DANDI_API_KEY")
    expect(apiKeyVariable("dandi-sandbox", "name")).toBe("DANDI_SANDBOX_API_KEY")
    expect(apiKeyVariable("linc", "name")).toBe("LINC_API_KEY")
  })

  it("an instance chosen by URL, or named after a host, reads DANDI_API_KEY: a variable a shell can set", () => {
    expect(apiKeyVariable("127.0.0.1:8000", "url")).toBe("DANDI_API_KEY")
    expect(apiKeyVariable("localhost", "url")).toBe("DANDI_API_KEY")
    expect(apiKeyVariable("api.example.org", "name")).toBe("DANDI_API_KEY")
    for (const name of ["dandi", "ember-dandi-sandbox", "127.0.0.1:8000", "[::1]:80", "my.lab"]) {
      for (const chosenAs of ["name", "url"] as const) expect(apiKeyVariable(name, chosenAs)).toMatch(settable)
    }
  })
})

describe("connectionFor", () => {
  const a = "http://127.0.0.1:4001/api"
  const b = "http://127.0.0.1:4002/api"

  it("a target on another host than the chosen instance is an InstanceMismatchError naming both", () => {
    const result = connect(`${b}/dandisets/000001/`, a)
    if (Either.isRight(result)) throw new Error("expected a refusal")
    const error = result.left
    expect(error._tag).toBe("InstanceMismatchError")
    expect(error.message).toContain("http://127.0.0.1:4002")
    expect(error.message).toContain(a)
    expect(error.message).not.toMatch(/\.\.|\s$/)
    // A known instance named by the target is another archive too.
    expect(Either.isLeft(connect("DANDI:000027", a))).toBe(true)
    expect(Either.isLeft(connect("dandi://linc/000027", "dandi"))).toBe(true)
  })

  it("a target on the chosen instance is read there with its key", () => {
    expect(connect(`${a}/dandisets/000001/`, a)).toEqual(Either.right({ instance: a, discover: false, withKey: true }))
    expect(connect("000001", a)).toEqual(Either.right({ instance: a, discover: false, withKey: true }))
    expect(connect("https://dandiarchive.org/dandiset/000027", "dandi")).toEqual(
      Either.right({ instance: "dandi", discover: false, withKey: true })
    )
    expect(connect("https://api.dandiarchive.org/api/dandisets/000027/", "https://api.dandiarchive.org/api")).toEqual(
      Either.right({ instance: "dandi", discover: false, withKey: true })
    )
  })

  it("without a chosen instance, a pasted server gets no key; a known instance named by the target gets its own", () => {
    expect(connect(`${b}/dandisets/000001/`, undefined)).toEqual(Either.right({ instance: b, discover: false, withKey: false }))
    expect(connect("http://127.0.0.1:4002/dandiset/000001", undefined)).toEqual(
      Either.right({ instance: "http://127.0.0.1:4002", discover: true, withKey: false })
    )
    expect(connect("dandi://linc/000027", undefined)).toEqual(Either.right({ instance: "linc", discover: false, withKey: true }))
    expect(connect("000027", undefined)).toEqual(Either.right({ instance: "dandi", discover: false, withKey: true }))
  })
})
