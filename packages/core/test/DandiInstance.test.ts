import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Schema } from "effect"
import { ServerInfo } from "@dandi-effect/core/ApiRecords"
import * as DandiInstance from "@dandi-effect/core/DandiInstance"

const serverInfo = (services: { api: string; webui?: string }, extra: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(ServerInfo)({
    version: "1.0.0",
    "cli-minimal-version": "0.60.0",
    "cli-bad-versions": [],
    services: {
      api: { url: services.api },
      ...(services.webui === undefined ? {} : { webui: { url: services.webui } })
    },
    ...extra
  })

const rightOrThrow = <A, E extends { message: string }>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) throw new Error(either.left.message)
  return either.right
}

describe("DandiInstance", () => {
  describe("known instances (spec §1.1)", () => {
    it("lists the seven instances in dandi-cli's order with their URLs", () => {
      expect(DandiInstance.knownInstances().map((i) => [i.name, i.gui, i.api])).toStrictEqual([
        ["dandi", "https://dandiarchive.org", "https://api.dandiarchive.org/api"],
        ["dandi-sandbox", "https://sandbox.dandiarchive.org", "https://api.sandbox.dandiarchive.org/api"],
        ["dandi-api-local-docker-tests", "http://localhost:8085", "http://localhost:8000/api"],
        ["linc", "https://lincbrain.org", "https://api.lincbrain.org/api"],
        ["linc-staging", "https://staging.lincbrain.org", "https://staging-api.lincbrain.org/api"],
        ["ember-dandi", "https://dandi.emberarchive.org", "https://api-dandi.emberarchive.org/api"],
        ["ember-dandi-sandbox", "https://dandi.sandbox.emberarchive.org", "https://api-dandi.sandbox.emberarchive.org/api"]
      ])
    })

    it("names are all lower case", () => {
      for (const name of DandiInstance.KNOWN_INSTANCE_NAMES) expect(name).toBe(name.toLowerCase())
    })

    it("the docker instance takes its host as a parameter (DANDI_INSTANCEHOST)", () => {
      const docker = rightOrThrow(DandiInstance.knownInstance("dandi-api-local-docker-tests", "dandi-host"))
      expect(docker.gui).toBe("http://dandi-host:8085")
      expect(docker.api).toBe("http://dandi-host:8000/api")
    })

    it("urls() yields the gui, then the api; just the api without a gui", () => {
      const dandi = rightOrThrow(DandiInstance.knownInstance("dandi"))
      expect(dandi.urls()).toStrictEqual(["https://dandiarchive.org", "https://api.dandiarchive.org/api"])
      expect(new DandiInstance.DandiInstance({ name: "x", gui: null, api: "http://x/api" }).urls()).toStrictEqual(["http://x/api"])
    })

    it("instances compare by value", () => {
      const a = rightOrThrow(DandiInstance.knownInstance("linc"))
      const b = new DandiInstance.DandiInstance({ name: "linc", gui: "https://lincbrain.org", api: "https://api.lincbrain.org/api" })
      expect(Equal.equals(a, b)).toBe(true)
    })
  })

  describe("apiKeyEnvVar (spec §1.4)", () => {
    const vectors: ReadonlyArray<readonly [string, string]> = [
      ["dandi", "DANDI_API_KEY"],
      ["dandi-sandbox", "DANDI_SANDBOX_API_KEY"],
      ["dandi-api-local-docker-tests", "DANDI_API_LOCAL_DOCKER_TESTS_API_KEY"],
      ["linc", "LINC_API_KEY"],
      ["linc-staging", "LINC_STAGING_API_KEY"],
      ["ember-dandi", "EMBER_DANDI_API_KEY"],
      ["ember-dandi-sandbox", "EMBER_DANDI_SANDBOX_API_KEY"],
      ["api.example.test", "API.EXAMPLE.TEST_API_KEY"]
    ]
    for (const [name, variable] of vectors) {
      it(`${name} -> ${variable}`, () => {
        expect(DandiInstance.apiKeyEnvVar(name)).toBe(variable)
      })
    }
    it("is also offered on the instance", () => {
      expect(rightOrThrow(DandiInstance.knownInstance("dandi-sandbox")).apiKeyEnvVar).toBe("DANDI_SANDBOX_API_KEY")
    })
  })

  describe("instanceFromUrl", () => {
    it("finds a known instance by its gui or api URL, ignoring trailing slashes", () => {
      expect(DandiInstance.instanceFromUrl("https://dandiarchive.org")?.name).toBe("dandi")
      expect(DandiInstance.instanceFromUrl("https://api.sandbox.dandiarchive.org/api/")?.name).toBe("dandi-sandbox")
      expect(DandiInstance.instanceFromUrl("https://staging-api.lincbrain.org/api")?.name).toBe("linc-staging")
    })
    it("matches exact strings only", () => {
      expect(DandiInstance.instanceFromUrl("https://dandiarchive.org/dandiset/000001")).toBeUndefined()
      expect(DandiInstance.instanceFromUrl("https://api.dandiarchive.org")).toBeUndefined()
    })
  })

  describe("resolveInstance and serverInfoUrls (spec §1.2 steps 1–4)", () => {
    it("a name resolves to its api URL and /info/", () => {
      const resolution = rightOrThrow(DandiInstance.resolveInstance("dandi"))
      expect(resolution._tag).toBe("Known")
      expect(resolution.url).toBe("https://api.dandiarchive.org/api")
      expect(DandiInstance.serverInfoUrls(resolution)).toStrictEqual(["https://api.dandiarchive.org/api/info/"])
    })

    it("a known gui URL is a web URL: /server-info, then /api/info/", () => {
      const resolution = rightOrThrow(DandiInstance.resolveInstance("https://dandiarchive.org"))
      expect(resolution).toMatchObject({ _tag: "Known", isApi: false, url: "https://dandiarchive.org" })
      expect(DandiInstance.serverInfoUrls(resolution)).toStrictEqual([
        "https://dandiarchive.org/server-info",
        "https://dandiarchive.org/api/info/"
      ])
    })

    it("a known api URL with a trailing slash is an api URL", () => {
      const resolution = rightOrThrow(DandiInstance.resolveInstance("https://api.lincbrain.org/api/"))
      expect(resolution).toMatchObject({ _tag: "Known", isApi: true, url: "https://api.lincbrain.org/api" })
    })

    it("an unknown URL is cut to its origin (the test vector https://api.example.test/api/)", () => {
      const resolution = rightOrThrow(DandiInstance.resolveInstance("https://api.example.test/api/"))
      expect(resolution).toStrictEqual({ _tag: "Unknown", url: "https://api.example.test", isApi: false })
      expect(DandiInstance.serverInfoUrls(resolution)).toStrictEqual([
        "https://api.example.test/server-info",
        "https://api.example.test/api/info/"
      ])
    })

    it("an unknown URL keeps an explicit port and accepts an upper-case scheme", () => {
      expect(rightOrThrow(DandiInstance.resolveInstance("HTTP://127.0.0.1:8000/api?x=1#y")).url).toBe("http://127.0.0.1:8000")
    })

    it("a DandiInstance resolves to itself at its api URL", () => {
      const instance = new DandiInstance.DandiInstance({ name: "mine", gui: null, api: "http://127.0.0.1:9/api/" })
      expect(rightOrThrow(DandiInstance.resolveInstance(instance))).toStrictEqual({
        _tag: "Known",
        instance,
        url: "http://127.0.0.1:9/api",
        isApi: true
      })
    })

    it("an unknown name is an UnknownInstanceError listing the valid names", () => {
      const result = DandiInstance.resolveInstance("dandy")
      if (Either.isRight(result)) throw new Error("accepted an unknown name")
      expect(result.left._tag).toBe("UnknownInstanceError")
      expect(result.left.instance).toBe("dandy")
      expect(result.left.message).toContain(
        "Valid instances: dandi, dandi-sandbox, dandi-api-local-docker-tests, linc, linc-staging, ember-dandi, ember-dandi-sandbox"
      )
    })

    it("the removed dandi-staging name says what to use instead", () => {
      const result = DandiInstance.knownInstance("dandi-staging")
      if (Either.isRight(result)) throw new Error("accepted dandi-staging")
      expect(result.left.message).toContain("renamed into 'dandi-sandbox'")
    })
  })

  describe("building the instance from server info (spec §1.2 step 6 and its vectors)", () => {
    it('"dandi": the server\'s URLs replace the hard-coded ones, the name stays', () => {
      const info = serverInfo({ api: "https://api.dandi", webui: "https://gui.dandi" })
      const instance = DandiInstance.instanceFromServerInfo(info, "dandi")
      expect([instance.name, instance.gui, instance.api]).toStrictEqual(["dandi", "https://gui.dandi", "https://api.dandi"])
    })

    it('"https://example.dandi/": an unknown server is named after its api host', () => {
      const info = serverInfo({ api: "https://api.dandi", webui: "https://gui.dandi" })
      expect(DandiInstance.instanceFromServerInfo(info).name).toBe("api.dandi")
    })

    it('"https://example.test/": name api.example.test, both URLs from the server', () => {
      const instance = DandiInstance.instanceFromServerInfo(
        serverInfo({ api: "https://api.example.test/api", webui: "https://example.test" })
      )
      expect([instance.name, instance.gui, instance.api]).toStrictEqual([
        "api.example.test",
        "https://example.test",
        "https://api.example.test/api"
      ])
    })

    it('"https://api.example.test/api/": no webui gives a null gui', () => {
      const instance = DandiInstance.instanceFromServerInfo(serverInfo({ api: "https://api.example.test/api" }))
      expect([instance.name, instance.gui]).toStrictEqual(["api.example.test", null])
    })

    it("names carry an explicit port, bracket IPv6 hosts, and fall back to the whole URL", () => {
      expect(DandiInstance.instanceNameFromApiUrl("http://127.0.0.1:8000/api")).toBe("127.0.0.1:8000")
      expect(DandiInstance.instanceNameFromApiUrl("http://[::1]:8000/api")).toBe("[::1]:8000")
      expect(DandiInstance.instanceNameFromApiUrl("http://[::1]/api")).toBe("[::1]")
      expect(DandiInstance.instanceNameFromApiUrl("https://API.Example.TEST/api")).toBe("api.example.test")
      expect(DandiInstance.instanceNameFromApiUrl("not a url")).toBe("not a url")
    })

    it('a failed fetch falls back to the hard-coded record for "dandi" and "https://dandiarchive.org"', () => {
      const dandi = rightOrThrow(DandiInstance.knownInstance("dandi"))
      for (const input of ["dandi", "https://dandiarchive.org"]) {
        const fallback = DandiInstance.instanceWithoutServerInfo(rightOrThrow(DandiInstance.resolveInstance(input)))
        expect(Equal.equals(rightOrThrow(fallback), dandi)).toBe(true)
      }
    })

    it('a failed fetch for an unknown URL ("https://dandi.nil") is an error with dandi-cli\'s text and our hint', () => {
      // dandi-cli dandi/tests/test_utils.py::test_get_instance_unknown_url_bad_response expects
      // exactly the first sentence; the hint after it is ours (docs/PARITY.md, DandiAPIClient rows).
      const result = DandiInstance.instanceWithoutServerInfo(rightOrThrow(DandiInstance.resolveInstance("https://dandi.nil")))
      if (Either.isRight(result)) throw new Error("accepted an unreachable unknown URL")
      expect(result.left.message).toBe(
        "Could not retrieve server info from https://dandi.nil, and client does not recognize URL." +
          " Check the URL, or that the server is up."
      )
    })
  })

  describe("client version gate (spec §1.2 step 5)", () => {
    const url = "https://api.example.test/api"
    it("accepts a client at or above the minimum", () => {
      expect(DandiInstance.clientVersionProblem(serverInfo({ api: url }, { "cli-minimal-version": "0.74.0" }), "0.74.0", url))
        .toBeUndefined()
      expect(DandiInstance.clientVersionProblem(serverInfo({ api: url }, { "cli-minimal-version": "0.74.0" }), "0.100.0", url))
        .toBeUndefined()
    })
    it("minimal version 99.99.99: too old, with two spaces after '!'", () => {
      const info = serverInfo({ api: url }, { "cli-minimal-version": "99.99.99" })
      expect(DandiInstance.clientVersionProblem(info, "0.76.7", url)).toBe(
        "Client version 0.76.7 is too old!  Server requires at least version 99.99.99"
      )
    })
    it("own version listed as bad: rejected", () => {
      const info = serverInfo({ api: url }, { "cli-minimal-version": "0.5.0", "cli-bad-versions": ["0.76.7"] })
      expect(DandiInstance.clientVersionProblem(info, "0.76.7", url)).toBe(
        "Client version 0.76.7 is rejected by server!  Server requires at least version 0.5.0 (but not 0.76.7)"
      )
    })
    it("a pre-release sorts before its release", () => {
      const info = serverInfo({ api: url }, { "cli-minimal-version": "1.0.0" })
      expect(DandiInstance.clientVersionProblem(info, "1.0.0-rc.1", url)).toMatch(/too old/)
    })
    it("a malformed server version is reported as the server's fault", () => {
      const info = serverInfo({ api: url }, { "cli-minimal-version": "latest" })
      expect(DandiInstance.clientVersionProblem(info, "0.76.7", url)).toMatch(
        /^https:\/\/api\.example\.test\/api returned an incorrectly formatted version; please contact that server's administrators/
      )
    })
  })
})
