/**
 * BrowserDandi.layer in real Chromium against the loopback emulator (started by
 * vitest.chromium.setup.ts). The page is served from localhost and the emulator listens on
 * 127.0.0.1, so every request is cross-origin: Chromium enforces CORS, and sends a preflight
 * before any request with a header outside the CORS-safelisted ones (Authorization, tracing
 * headers). The emulator's preflight answer allows the headers the real archive allows, and not
 * `traceparent` or `b3`: a client that propagated spans would fail here.
 */
import * as BrowserDandi from "@dandi-effect/browser/BrowserDandi"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import * as TokenStoreModule from "@dandi-effect/core/TokenStore"
import * as DemoSeed from "@dandi-effect/core/testing/DemoSeed"
import { afterEach, describe, expect, inject, it } from "@effect/vitest"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Chunk, Effect, Stream } from "effect"

const { apiUrl, token, username } = inject("dandiEmulator")

/** Where BrowserTokenStore keeps the key of this instance: `dandi-api-{host:port}/key`. */
const storageKey = `dandi-api-${new URL(apiUrl).host}/key`

const listIdentifiers = (options: DandiApi.GetDandisetsOptions = {}) =>
  Effect.flatMap(DandiApi.DandiApi, (api) =>
    Effect.map(Stream.runCollect(api.getDandisets(options)), (all) => Chunk.toReadonlyArray(all).map((d) => d.identifier)))

/** The layer as an application would build it for the emulator, with no key. */
const anonymous = BrowserDandi.layer({ instance: apiUrl, discover: false, tokenStore: TokenStoreModule.layerMemory })

afterEach(() => {
  localStorage.clear()
})

describe("the emulator is another origin", () => {
  it("the page and the API differ in origin", () => {
    expect(new URL(apiUrl).origin).not.toBe(location.origin)
    expect(new URL(apiUrl).hostname).toBe("127.0.0.1")
  })

  // Controls for the tests below: they show that Chromium really checks the emulator's CORS
  // answers, so that a request carrying a trace header cannot pass unnoticed.
  it("Chromium refuses a request with a traceparent header (the preflight does not allow it)", async () => {
    const refused = await fetch(`${apiUrl}/dandisets/`, {
      headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }
    }).then(() => "answered", (error: unknown) => error)
    expect(refused).toBeInstanceOf(TypeError)
  })

  it("Chromium sends Authorization after a preflight the emulator allows", async () => {
    const response = await fetch(`${apiUrl}/users/me/`, { headers: { authorization: `token ${token}` } })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ username })
  })
})

describe("BrowserDandi.layer in Chromium", () => {
  it.effect("lists the seeded dandisets inside a span (no trace headers reach the wire)", () =>
    Effect.gen(function*() {
      // A request carrying traceparent or b3 would be refused at its preflight (see the controls).
      const listed = yield* listIdentifiers().pipe(Effect.withSpan("browser-test"), Effect.provide(anonymous))
      expect(listed).toEqual(["000001", "000002"])
    }))

  it.effect("its HttpClient sends no trace headers: a GET to the API inside a span passes CORS", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${apiUrl}/dandisets/`).pipe(Effect.withSpan("browser-test"))
      expect(response.status).toBe(200)
      expect(yield* response.json).toMatchObject({ count: 2 })
    }).pipe(Effect.provide(anonymous)))

  it.effect("control: the same GET over plain FetchHttpClient (trace propagation on) fails in Chromium", () =>
    Effect.gen(function*() {
      const error = yield* HttpClient.get(`${apiUrl}/dandisets/`).pipe(Effect.withSpan("browser-test"), Effect.flip)
      expect(error._tag).toBe("RequestError")
      expect(error.reason).toBe("Transport")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("reads an asset's metadata from the published version", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      const dandiset = yield* api.getDandiset("000001")
      const version = yield* dandiset.version
      expect(version.identifier).not.toBe("draft")

      const blob = DemoSeed.demoBlobs[1]
      const asset = yield* dandiset.getAssetByPath(blob.path)
      expect(asset.size).toBe(blob.size)
      const metadata = yield* asset.getMetadata()
      expect(metadata.path).toBe(blob.path)
      expect(metadata.contentSize).toBe(blob.size)
      expect(metadata.encodingFormat).toBe("application/x-nwb")
      expect(metadata["wasAttributedTo"]).toMatchObject([{ identifier: "anm001", species: { name: "Mus musculus - House mouse" } }])

      const readme = yield* dandiset.getAssetByPath("README.md")
      expect(yield* readme.getMetadata()).toMatchObject({
        path: "README.md",
        encodingFormat: "text/markdown",
        contentSize: new TextEncoder().encode(DemoSeed.demoReadme).length
      })
    }).pipe(Effect.provide(anonymous)))

  it.effect("uses a key stored in localStorage: the owner sees the embargoed dandiset", () =>
    Effect.gen(function*() {
      localStorage.setItem(storageKey, token)
      // As an application would build it: the instance is discovered through its /info/.
      const asOwner = BrowserDandi.layer({ instance: apiUrl, authenticate: "env-or-store" })
      const result = yield* Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        const me = yield* api.me
        const listed = yield* listIdentifiers({ embargoed: true })
        return { instance: api.location, me: me.username, listed }
      }).pipe(Effect.provide(asOwner))
      expect(result).toEqual({
        instance: { instanceName: new URL(apiUrl).host, apiUrl },
        me: username,
        listed: ["000001", "000002", "000003"]
      })
    }))

  it.effect("without a stored key, asking for embargoed dandisets is refused (401)", () =>
    Effect.gen(function*() {
      const error = yield* listIdentifiers({ embargoed: true }).pipe(
        Effect.flip,
        Effect.provide(BrowserDandi.layer({ instance: apiUrl, discover: false, authenticate: "env-or-store" }))
      )
      expect(error._tag).toBe("AuthenticationError")
      expect(localStorage.getItem(storageKey)).toBeNull()
    }))

  it.effect("authenticate(key, { save: true }) checks the key, then keeps it in localStorage", () =>
    Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      expect(localStorage.getItem(storageKey)).toBeNull()
      yield* api.authenticate(token, { save: true })
      expect(localStorage.getItem(storageKey)).toBe(token)
      expect((yield* api.me).username).toBe(username)
    }).pipe(Effect.provide(BrowserDandi.layer({ instance: apiUrl, discover: false }))))
})
