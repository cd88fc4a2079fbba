import * as RetryPolicy from "@dandi-effect/core/RetryPolicy"
import { describe, expect, it } from "@effect/vitest"
import { Duration } from "effect"

describe("RetryPolicy.defaultPolicy", () => {
  it("waits what its documentation says: 9 waits, 146.8–196.2 s in all (183.5 s before jitter)", () => {
    const { max, min } = RetryPolicy.totalWait(RetryPolicy.defaultPolicy)
    expect(Duration.toMillis(min)).toBe(146_800)
    expect(Duration.toMillis(max)).toBe(196_200)
    const nominal = RetryPolicy.totalWait({ ...RetryPolicy.defaultPolicy, jitter: 0 })
    expect(Duration.toMillis(nominal.min)).toBe(183_500)
  })

  it("a policy of one attempt never waits", () => {
    expect(Duration.toMillis(RetryPolicy.totalWait(RetryPolicy.never).max)).toBe(0)
  })
})
