import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as DandiUrl from "@dandi-effect/core/DandiUrl"

/** A target with the instance flattened to a name (known) or `url:` + URL (unknown server), for readable assertions. */
const parsed = (input: string, options?: DandiUrl.ParseOptions): Record<string, unknown> => {
  const result = DandiUrl.parseDandiUrl(input, options)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  const { instance, ...rest } = result.right as DandiUrl.DandiTarget & { instance?: DandiUrl.InstanceRef }
  if (instance === undefined) return { ...rest }
  const where = instance._tag === "KnownInstance" ? instance.instance.name : `url:${instance.url}${instance.isApi ? " (api)" : ""}`
  return { ...rest, instance: where }
}

const failure = (input: string, options?: DandiUrl.ParseOptions) => {
  const result = DandiUrl.parseDandiUrl(input, options)
  if (Either.isRight(result)) throw new Error(`accepted ${input} as ${result.right._tag}`)
  expect(result.left._tag).toBe("UnknownUrlError")
  expect(result.left.input).toBe(input)
  return result.left.message
}

const ASSET = "0a748f90-d497-4a9c-822e-9c63811db412"

describe("DandiUrl.parseDandiUrl", () => {
  describe("INSTANCE:ID[/VERSION]", () => {
    it("DANDI:000027", () => {
      expect(parsed("DANDI:000027")).toStrictEqual({ _tag: "Dandiset", instance: "dandi", dandisetId: "000027", version: undefined })
    })
    it("DANDI:000027/0.210831.2033", () => {
      expect(parsed("DANDI:000027/0.210831.2033")).toMatchObject({ instance: "dandi", version: "0.210831.2033" })
    })
    it("DANDI-SANDBOX:000029 and EMBER-DANDI-SANDBOX:000029/draft", () => {
      expect(parsed("DANDI-SANDBOX:000029")).toMatchObject({ _tag: "Dandiset", instance: "dandi-sandbox", dandisetId: "000029" })
      expect(parsed("EMBER-DANDI-SANDBOX:000029/draft")).toMatchObject({ instance: "ember-dandi-sandbox", version: "draft" })
      expect(parsed("LINC-STAGING:000001")).toMatchObject({ instance: "linc-staging" })
    })
    it("rejects DANDI:27 (six digits required)", () => {
      expect(failure("DANDI:27")).toMatch(/^Unrecognized resource identifier "DANDI:27"/)
    })
    it("rejects lower-case instance prefixes, as dandi-cli does", () => {
      failure("dandi:000027")
    })
    it("rejects a path after the version", () => {
      failure("DANDI:000027/draft/sub-1")
    })
  })

  describe("redirect-only URLs", () => {
    it("gui.dandiarchive.org and identifiers.org need their redirects followed", () => {
      expect(parsed("https://gui.dandiarchive.org/#/dandiset/000001")).toStrictEqual({
        _tag: "NeedsRedirect",
        url: "https://gui.dandiarchive.org/#/dandiset/000001"
      })
      expect(parsed("https://identifiers.org/DANDI:000027/0.210831.2033")._tag).toBe("NeedsRedirect")
      expect(parsed("https://identifiers.org/dandi:000027")._tag).toBe("NeedsRedirect")
    })
    it("any other http(s) URL needs its redirects followed", () => {
      expect(parsed("https://bit.ly/some-dandiset")).toStrictEqual({ _tag: "NeedsRedirect", url: "https://bit.ly/some-dandiset" })
    })
  })

  describe("archive web URLs", () => {
    it("https://dandiarchive.org/dandiset/000001[/draft]", () => {
      expect(parsed("https://dandiarchive.org/dandiset/000001")).toStrictEqual({
        _tag: "Dandiset",
        instance: "dandi",
        dandisetId: "000001",
        version: undefined
      })
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft")).toMatchObject({ _tag: "Dandiset", version: "draft" })
      expect(parsed("https://dandiarchive.org/dandiset/000001/0.210812.1448/files")).toMatchObject({
        _tag: "Dandiset",
        version: "0.210812.1448"
      })
    })
    it("files?location= is always a folder, percent-decoded, leading slashes stripped", () => {
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=sub-anm369962%2F")).toStrictEqual({
        _tag: "AssetFolder",
        instance: "dandi",
        dandisetId: "000001",
        version: "draft",
        path: "sub-anm369962/"
      })
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=sub-1")).toMatchObject({
        _tag: "AssetFolder",
        path: "sub-1/"
      })
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=%2Fsub%201%2F")).toMatchObject({
        _tag: "AssetFolder",
        path: "sub 1/"
      })
    })
    it("an empty location is the dandiset", () => {
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=")._tag).toBe("Dandiset")
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=%2F")._tag).toBe("Dandiset")
    })
    it("the old #/ web app form", () => {
      expect(parsed("https://dandiarchive.org/#/dandiset/000001/draft/files?location=sub-1%2F")).toMatchObject({
        _tag: "AssetFolder",
        instance: "dandi",
        path: "sub-1/"
      })
    })
    it("with glob on, a location is a glob pattern", () => {
      expect(parsed("https://dandiarchive.org/dandiset/000001/draft/files?location=sub-*%2F*.nwb", { glob: true })).toMatchObject({
        _tag: "AssetGlob",
        glob: "sub-*/*.nwb"
      })
    })
    it("other instances' web apps, and web-app deploy previews (the sandbox)", () => {
      expect(parsed("https://sandbox.dandiarchive.org/dandiset/000029")).toMatchObject({ instance: "dandi-sandbox" })
      expect(parsed("https://lincbrain.org/dandiset/000010/draft")).toMatchObject({ instance: "linc" })
      expect(parsed("https://deploy-preview-341--gui-dandiarchive-org.netlify.app/dandiset/000029/draft")).toMatchObject({
        instance: "dandi-sandbox"
      })
    })
    it("other netlify previews are read as the main archive", () => {
      expect(parsed("https://xyz--dandiarchive-org.netlify.app/dandisets/000001/versions/draft/")).toMatchObject({
        _tag: "Dandiset",
        instance: "dandi",
        version: "draft"
      })
    })
    it("an unknown server's web URL names the server by its URL", () => {
      expect(parsed("https://dandi.example.org/dandiset/000001")).toMatchObject({ instance: "url:https://dandi.example.org" })
    })
  })

  describe("API URLs", () => {
    it(".../api/dandisets/ID[/versions[/V]][/]", () => {
      expect(parsed("https://api.dandiarchive.org/api/dandisets/000001/")).toStrictEqual({
        _tag: "Dandiset",
        instance: "dandi",
        dandisetId: "000001",
        version: undefined
      })
      expect(parsed("https://api.dandiarchive.org/api/dandisets/000001/versions/")).toMatchObject({ version: undefined })
      expect(parsed("https://api.dandiarchive.org/api/dandisets/000001/versions/draft")).toMatchObject({ version: "draft" })
      expect(parsed("https://api.sandbox.dandiarchive.org/api/dandisets/000029/versions/0.210812.1448/")).toMatchObject({
        instance: "dandi-sandbox",
        version: "0.210812.1448"
      })
    })
    it(".../api/assets/UUID[/download[/]]", () => {
      for (const suffix of ["", "/", "/download", "/download/"]) {
        expect(parsed(`https://api.dandiarchive.org/api/assets/${ASSET}${suffix}`)).toStrictEqual({
          _tag: "AssetId",
          instance: "dandi",
          assetId: ASSET
        })
      }
    })
    it(".../versions/V/assets/UUID[/download]", () => {
      expect(parsed(`https://api.dandiarchive.org/api/dandisets/000003/versions/draft/assets/${ASSET}/download/`)).toStrictEqual({
        _tag: "AssetIdInVersion",
        instance: "dandi",
        dandisetId: "000003",
        version: "draft",
        assetId: ASSET
      })
    })
    it(".../assets/?path= is a path prefix, percent-decoded", () => {
      expect(parsed("https://api.dandiarchive.org/api/dandisets/000003/versions/draft/assets/?path=sub-YutaMouse20%2F")).toStrictEqual({
        _tag: "AssetPathPrefix",
        instance: "dandi",
        dandisetId: "000003",
        version: "draft",
        pathPrefix: "sub-YutaMouse20/"
      })
    })
    it(".../assets/?glob= is a glob", () => {
      expect(parsed("https://api.dandiarchive.org/api/dandisets/000003/versions/draft/assets/?glob=sub-*%2F*.nwb")).toMatchObject({
        _tag: "AssetGlob",
        version: "draft",
        glob: "sub-*/*.nwb"
      })
    })
    it("a local emulator's API URL names the server as an API URL", () => {
      const target = parsed("http://127.0.0.1:54321/api/dandisets/000001/versions/draft/")
      expect(target).toMatchObject({ _tag: "Dandiset", instance: "url:http://127.0.0.1:54321/api (api)", version: "draft" })
    })
    it("the docker instance is recognised on its host", () => {
      expect(parsed("http://localhost:8000/api/dandisets/000001/")).toMatchObject({ instance: "dandi-api-local-docker-tests" })
      expect(parsed("http://dockerhost:8000/api/dandisets/000001/", { instanceHost: "dockerhost" })).toMatchObject({
        instance: "dandi-api-local-docker-tests"
      })
    })
  })

  describe("dandi://INSTANCE/ID[@VERSION][/PATH]", () => {
    it("a dandiset, at a version or not", () => {
      expect(parsed("dandi://dandi/000001")).toStrictEqual({ _tag: "Dandiset", instance: "dandi", dandisetId: "000001", version: undefined })
      expect(parsed("dandi://dandi-sandbox/000029@0.210812.1448/")).toMatchObject({ _tag: "Dandiset", version: "0.210812.1448" })
    })
    it("a folder (trailing slash) and an item", () => {
      expect(parsed("dandi://dandi/000001@draft/sub-1/")).toStrictEqual({
        _tag: "AssetFolder",
        instance: "dandi",
        dandisetId: "000001",
        version: "draft",
        path: "sub-1/"
      })
      expect(parsed("dandi://linc/000010/sub-1/sub-1_ses-2.nwb")).toStrictEqual({
        _tag: "AssetItem",
        instance: "linc",
        dandisetId: "000010",
        version: undefined,
        path: "sub-1/sub-1_ses-2.nwb"
      })
    })
    it("a glob when glob is on", () => {
      expect(parsed("dandi://dandi/000001/sub-*/*.nwb", { glob: true })).toMatchObject({ _tag: "AssetGlob", glob: "sub-*/*.nwb" })
    })
    it("an unknown instance is an error listing the valid ones, sorted", () => {
      expect(failure("dandi://nope/000001")).toBe(
        "Unknown instance 'nope'.  Valid instances: dandi, dandi-api-local-docker-tests, dandi-sandbox, ember-dandi, ember-dandi-sandbox, linc, linc-staging"
      )
    })
  })

  describe("the CLI's bare forms", () => {
    it("000001 and 000001/draft on the default instance (dandi)", () => {
      expect(parsed("000001")).toStrictEqual({ _tag: "Dandiset", instance: "dandi", dandisetId: "000001", version: undefined })
      expect(parsed("000001/draft")).toMatchObject({ instance: "dandi", version: "draft" })
      expect(parsed(" 000001/0.210812.1448 ")).toMatchObject({ version: "0.210812.1448" })
    })
    it("on a given default instance, by name or by API URL", () => {
      expect(parsed("000001", { defaultInstance: "dandi-sandbox" })).toMatchObject({ instance: "dandi-sandbox" })
      expect(parsed("000001/draft", { defaultInstance: "http://127.0.0.1:8123/api" })).toMatchObject({
        instance: "url:http://127.0.0.1:8123/api (api)"
      })
      expect(parsed("000001", { defaultInstance: "https://api.lincbrain.org/api/" })).toMatchObject({ instance: "linc" })
    })
    it("an unknown default instance is an error", () => {
      expect(failure("000001", { defaultInstance: "nope" })).toMatch(/^Unknown instance 'nope'\. {2}Valid instances: dandi, /)
    })
  })

  describe("bad input", () => {
    for (const input of ["", "hello", "00001", "0000001", "000001/latest", "ftp://dandiarchive.org/dandiset/000001", "dandi://dandi/27"]) {
      it(`rejects ${JSON.stringify(input)} with a message listing the accepted forms`, () => {
        const message = failure(input)
        expect(message).toContain(`Unrecognized resource identifier ${JSON.stringify(input)}`)
        expect(message).toContain("dandi://INSTANCE/000027")
      })
    }
    it("keeps a malformed percent escape as written instead of failing", () => {
      expect(parsed("dandi://dandi/000001/a%ZZb%20c")).toMatchObject({ _tag: "AssetItem", path: "a%ZZb c" })
    })
  })
})

describe("DandiUrl.instanceApiUrl", () => {
  it("gives a known instance's api URL and an API server URL as is", () => {
    const known = DandiUrl.parseDandiUrl("DANDI:000001")
    const server = DandiUrl.parseDandiUrl("http://127.0.0.1:9/api/dandisets/000001/")
    if (Either.isLeft(known) || Either.isLeft(server)) throw new Error("parse failed")
    if (known.right._tag !== "Dandiset" || server.right._tag !== "Dandiset") throw new Error("not dandisets")
    expect(DandiUrl.instanceApiUrl(known.right.instance)).toBe("https://api.dandiarchive.org/api")
    expect(DandiUrl.instanceApiUrl(server.right.instance)).toBe("http://127.0.0.1:9/api")
  })
})
