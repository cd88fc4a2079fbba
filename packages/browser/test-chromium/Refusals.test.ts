/**
 * What a page sees when the browser refuses a request (CORS) or nothing answers, in real Chromium.
 * fetch reports both as the same bare `TypeError: Failed to fetch`; retried as a transient network
 * failure, either would keep the page waiting for minutes (the default policy waits up to 196 s)
 * before saying anything. Each test below runs far inside the test timeout only if the failure is
 * told apart and reported at once.
 */
import * as BrowserDandi from "@dandi-effect/browser/BrowserDandi"
import * as ApiClient from "@dandi-effect/core/ApiClient"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import { describe, expect, inject, it } from "@effect/vitest"
import { Effect, Stream } from "effect"

const { apiUrl, closedApiUrl, refusingApiUrl } = inject("dandiEmulator")

/** fetch, recording `METHOD URL` of every request the SDK sends (the diagnosis included). */
const recordingFetch = () => {
  const sent: Array<string> = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent.push(`${init?.method ?? "GET"} ${input instanceof Request ? input.url : String(input)}`)
    return globalThis.fetch(input, init)
  }
  return { fetch, sent }
}

const layerFor = (url: string, fetch: typeof globalThis.fetch) =>
  BrowserDandi.layer({ instance: url, discover: false, tokenStore: TokenStoreModule.layerMemory, fetch })

describe("a request the browser refuses or nothing answers", () => {
  it.effect("a write the instance does not allow from this page's origin fails at once, naming the origin to allow", () => {
    const { fetch, sent } = recordingFetch()
    return Effect.gen(function*() {
      const api = yield* ApiClient.ApiClient
      // A JSON POST needs a preflight, which this emulator (as the archive for a third-party page) does not allow.
      const error = yield* Effect.flip(api.send("POST", "/dandisets/", { body: { name: "x", metadata: {} } }))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain(`POST ${refusingApiUrl}/dandisets/ was refused by the browser`)
      expect(error.message).toContain(`does not allow pages from ${location.origin}`)
      expect(error.message).toContain("CORS")
      // The request, the no-cors HEAD that shows the server answers, and one more try: no backoff.
      expect(sent).toEqual([
        `POST ${refusingApiUrl}/dandisets/`,
        `HEAD ${refusingApiUrl}/dandisets/`,
        `POST ${refusingApiUrl}/dandisets/`
      ])
    }).pipe(Effect.provide(layerFor(refusingApiUrl, fetch)))
  }, 8_000)

  it.effect("reads from the same instance pass: the refusal is about this request, not the instance", () => {
    const { fetch } = recordingFetch()
    return Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      const listed = yield* Stream.runCollect(api.getDandisets())
      expect(listed.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(layerFor(refusingApiUrl, fetch)))
  }, 8_000)

  it.effect("an instance where nothing listens fails at once: one TransportError saying nothing answered", () => {
    const { fetch, sent } = recordingFetch()
    return Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      const error = yield* Effect.flip(Stream.runDrain(api.getDandisets()))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain(`Cannot reach the archive at ${new URL(closedApiUrl).origin}`)
      expect(error.message).toContain("nothing answered this page")
      expect(sent.map((request) => request.split(" ")[0])).toEqual(["GET", "HEAD"])
    }).pipe(Effect.provide(layerFor(closedApiUrl, fetch)))
  }, 8_000)

  it.effect("control: the same write from an allowed origin is answered (by the API, not refused by the browser)", () => {
    const { fetch } = recordingFetch()
    return Effect.gen(function*() {
      const api = yield* ApiClient.ApiClient
      const error = yield* Effect.flip(api.send("POST", "/dandisets/", { body: { name: "x", metadata: {} } }))
      // No key: the API itself answers 401, which the browser lets the page read.
      expect(error._tag).toBe("AuthenticationError")
    }).pipe(Effect.provide(layerFor(apiUrl, fetch)))
  }, 8_000)
})
