import { describe, expect, it } from "@effect/vitest"
import * as RetryAfter from "@dandi-effect/core/RetryAfter"

const at = (iso: string) => Date.parse(iso)
const anyNow = at("2015-10-21T07:00:00Z")

describe("RetryAfter.parse (spec client-behaviour.md §2.5 vectors)", () => {
  it("reads a number of seconds", () => {
    expect(RetryAfter.parse("10", anyNow)).toEqual({ _tag: "Seconds", seconds: 10 })
  })

  it("reads an HTTP date against now", () => {
    expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", at("2015-10-21T07:26:00Z")))
      .toEqual({ _tag: "Seconds", seconds: 120 })
  })

  it("ignores an indecipherable value", () => {
    expect(RetryAfter.parse("indecipherable", anyNow)._tag).toBe("Ignored")
  })

  it("ignores a date more than a week away", () => {
    expect(RetryAfter.parse("Wed, 21 Oct 2016 07:28:00 GMT", at("2015-10-21T07:28:00Z"))._tag).toBe("Ignored")
  })

  it("turns a date one second in the past into 0", () => {
    expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:59 GMT", at("2015-10-21T07:28:00Z")))
      .toEqual({ _tag: "Seconds", seconds: 0 })
  })

  it("ignores a date two or more seconds in the past", () => {
    expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:58 GMT", at("2015-10-21T07:28:00Z"))._tag).toBe("Ignored")
  })

  it("reports an absent header as absent", () => {
    expect(RetryAfter.parse(undefined, anyNow)).toEqual({ _tag: "Absent" })
  })

  it("accepts spaces, a sign and digit separators as Python's int() does", () => {
    expect(RetryAfter.seconds(RetryAfter.parse("  +1_0 ", anyNow))).toBe(10)
    expect(RetryAfter.parse("-5", anyNow)._tag).toBe("Ignored")
    expect(RetryAfter.parse("1__0", anyNow)._tag).toBe("Ignored")
  })

  it("caps at exactly one week", () => {
    expect(RetryAfter.seconds(RetryAfter.parse("604800", anyNow))).toBe(604800)
    expect(RetryAfter.parse("604801", anyNow)._tag).toBe("Ignored")
  })

  it("honours numeric time zones in dates", () => {
    expect(RetryAfter.seconds(RetryAfter.parse("Wed, 21 Oct 2015 09:28:00 +0200", at("2015-10-21T07:26:00Z")))).toBe(120)
  })
})
