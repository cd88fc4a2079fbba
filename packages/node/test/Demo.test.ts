/**
 * `dandi-effect demo`: the built binary walks through every step in order, verifies the blob
 * (sha256 and dandi-etag) and the zarr, shows a typed NotFoundError and exits 0, without ever
 * printing the demo user's key. In process, the tour's checks catch corrupted bytes, and the
 * helpers behind its narration and its wire log are tested on their own.
 */
import * as Narration from "@dandi-effect/node/demo/Narration"
import * as Tour from "@dandi-effect/node/demo/Tour"
import * as WireLog from "@dandi-effect/node/demo/WireLog"
import * as NodeHasher from "@dandi-effect/node/NodeHasher"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Redacted } from "effect"
import { ensureBuilt, runCli } from "./support/Cli.js"

beforeAll(ensureBuilt, 180_000)

// The demo must not depend on, or pick up, a key from the environment (runCli empties it).
const runDemo = () => runCli(["demo"])

const expectedHeadings = Tour.headings.map((title, i) => `${i + 1}. ${title}`)
const headingsOf = (stdout: string) => stdout.split("\n").filter((line) => /^\d+\. /.test(line))

/** The lines of the tour that prove the verifications happened. */
const expectVerified = (stdout: string) => {
  expect(stdout).toMatch(/sha256 [0-9a-f]{12}… verified/)
  expect(stdout).toMatch(/dandi-etag [0-9a-f]{12}…-1 verified/)
  expect(stdout).toMatch(/dandi-zarr-checksum [0-9a-f]{12}…-5--16590 verified/)
}

describe("dandi-effect demo (the built binary)", () => {
  it.live("walks through every step in order, verifies the blob and the zarr, and exits 0", () =>
    Effect.gen(function*() {
      const { code, stdout, stderr } = yield* runDemo()
      expect(stderr).toBe("")
      expect(code).toBe(0)
      expect(headingsOf(stdout)).toEqual(expectedHeadings)
      expect(stdout).toMatch(/API http:\/\/127\.0\.0\.1:\d+\/api, storage http:\/\/127\.0\.0\.1:\d+ /)
      expect(stdout).toContain("api.me → newcomer (New Comer), approved")
      expect(stdout).toContain("token sent only to the API origin")
      expect(stdout).toContain("typed metadata of all 5 read in 1 API request")
      expectVerified(stdout)
      expect(stdout).toContain(`api.getDandiset("${Tour.missingDandiset}") fails with NotFoundError:`)
      expect(stdout).toContain(`No such Dandiset: '${Tour.missingDandiset}'.`)
      expect(stdout).toContain("npx dandi-effect emulator --seed demo")
      // The key is generated inside the process and shaped like the archive's (40 hex digits):
      // no such run may appear anywhere in what the demo prints.
      expect(`${stdout}\n${stderr}`).not.toMatch(/[0-9a-f]{40}/i)
    }), 60_000)
})

/** Runs the tour in this process, capturing what it prints. */
const tourOutput = (options: Tour.TourOptions) =>
  Effect.gen(function*() {
    const printed: Array<string> = []
    const capture = (...args: ReadonlyArray<unknown>) => {
      printed.push(args.map(String).join(" "))
    }
    const log = vi.spyOn(console, "log").mockImplementation(capture)
    const error = vi.spyOn(console, "error").mockImplementation(capture)
    const exit = yield* Tour.run(options).pipe(
      Effect.scoped,
      Effect.provide(NodeHasher.layer),
      Effect.exit,
      Effect.ensuring(Effect.sync(() => {
        log.mockRestore()
        error.mockRestore()
      }))
    )
    return { exit, output: printed.join("\n") }
  })

describe("Tour.run (in process)", () => {
  const key = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

  it.live("signs in with the key it is given and never prints it", () =>
    Effect.gen(function*() {
      const { exit, output } = yield* tourOutput({ key: Redacted.make(key) })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(headingsOf(output)).toEqual(expectedHeadings)
      expectVerified(output)
      expect(output).not.toContain(key)
      expect(output).not.toContain(key.slice(0, 12))
    }), 60_000)

  it.live("fails with DigestMismatch when the storage serves corrupted bytes", () =>
    Effect.gen(function*() {
      const { exit, output } = yield* tourOutput({
        key: Redacted.make(key),
        faults: {
          rules: [{ target: "s3", method: "GET", pathPrefix: "/dandiarchive/blobs/", action: "corrupt", bytes: 1 }]
        }
      })
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.map(failure, (error) => error._tag)).toEqual(Option.some("DigestMismatch"))
      expect(Option.getOrThrow(failure).message).toContain(Tour.blobPath)
      // The tour stopped at the blob: its heading is the last one printed, and nothing was "verified".
      expect(headingsOf(output).at(-1)).toBe(expectedHeadings[4])
      expect(output).not.toContain("verified")
    }), 60_000)
})

describe("Narration", () => {
  it("numbers headings and separates every step after the first with a blank line", () => {
    expect(Narration.headingText(1, "Connect")).toBe("1. Connect")
    expect(Narration.headingText(2, "List")).toBe("\n2. List")
  })

  it("groups digits the same way whatever the locale", () => {
    expect(Narration.groupDigits(0)).toBe("0")
    expect(Narration.groupDigits(999)).toBe("999")
    expect(Narration.groupDigits(1000)).toBe("1,000")
    expect(Narration.groupDigits(3_158_073)).toBe("3,158,073")
    expect(Narration.groupDigits(-1_234_567)).toBe("-1,234,567")
  })

  it("formats sizes in binary units with one decimal, exact below 1 KiB", () => {
    expect(Narration.formatBytes(0)).toBe("0 B")
    expect(Narration.formatBytes(177)).toBe("177 B")
    expect(Narration.formatBytes(1023)).toBe("1023 B")
    expect(Narration.formatBytes(1024)).toBe("1.0 KiB")
    expect(Narration.formatBytes(16_590)).toBe("16.2 KiB")
    expect(Narration.formatBytes(3_158_073)).toBe("3.0 MiB")
    expect(Narration.formatBytes(5 * 2 ** 40)).toBe("5.0 TiB")
    expect(Narration.formatBytes(2 ** 60)).toBe("1024.0 PiB")
  })

  it("counts with the right noun form", () => {
    expect(Narration.count(0, "asset")).toBe("0 assets")
    expect(Narration.count(1, "asset")).toBe("1 asset")
    expect(Narration.count(1500, "file")).toBe("1,500 files")
    expect(Narration.count(2, "entry", "entries")).toBe("2 entries")
  })

  it("shortens digests but keeps the part count and the zarr's count and size", () => {
    const md5 = "80bc10b1200c0d3b6e5c1e0c5b2f4a11"
    expect(Narration.shortDigest(`${md5}-1`)).toBe("80bc10b1200c…-1")
    expect(Narration.shortDigest(`${md5}-5--16590`)).toBe("80bc10b1200c…-5--16590")
    expect(Narration.shortDigest("a".repeat(64))).toBe(`${"a".repeat(12)}…`)
    expect(Narration.shortDigest("abc")).toBe("abc")
    expect(Narration.shortDigest("not a digest")).toBe("not a digest")
  })

  it("drops presigned credentials from URLs and finds origins", () => {
    const presigned = "http://127.0.0.1:9000/bucket/blobs/a/b?X-Amz-Signature=secret&X-Amz-Expires=3600#frag"
    expect(Narration.withoutQuery(presigned)).toBe("http://127.0.0.1:9000/bucket/blobs/a/b")
    expect(Narration.withoutQuery("http://h/p")).toBe("http://h/p")
    expect(Narration.originOf(presigned)).toBe("http://127.0.0.1:9000")
    expect(Narration.originOf("not a url")).toBe("not a url")
  })

  it("lists items in prose", () => {
    expect(Narration.listing([])).toBe("")
    expect(Narration.listing(["a"])).toBe("a")
    expect(Narration.listing(["a", "b"])).toBe("a and b")
    expect(Narration.listing(["a", "b", "c"])).toBe("a, b and c")
  })
})

describe("WireLog", () => {
  const requests: ReadonlyArray<WireLog.WireRequest> = [
    { method: "GET", origin: "http://127.0.0.1:1", authorized: false },
    { method: "GET", origin: "http://127.0.0.1:1", authorized: true },
    { method: "HEAD", origin: "http://127.0.0.1:2", authorized: false },
    { method: "GET", origin: "http://127.0.0.1:1", authorized: true }
  ]

  it("names each origin that received an Authorization header once, in order of first use", () => {
    expect(WireLog.authorizedOrigins(requests)).toEqual(["http://127.0.0.1:1"])
    expect(WireLog.authorizedOrigins([...requests, { method: "GET", origin: "http://s3", authorized: true }]))
      .toEqual(["http://127.0.0.1:1", "http://s3"])
    expect(WireLog.authorizedOrigins([])).toEqual([])
  })

  it("counts requests per origin", () => {
    expect(WireLog.countTo(requests, "http://127.0.0.1:1")).toBe(3)
    expect(WireLog.countTo(requests, "http://127.0.0.1:2")).toBe(1)
    expect(WireLog.countTo(requests, "http://elsewhere")).toBe(0)
  })

  it.effect("records the presence of an Authorization header, never its value", () =>
    Effect.gen(function*() {
      const log = yield* WireLog.WireLog
      // A client that answers every request itself, observed the way WireLog.httpClient observes undici.
      const client = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: 204 })))
      ).pipe(HttpClient.tapRequest(log.record))
      yield* client.execute(
        HttpClientRequest.get("http://127.0.0.1:8000/api/users/me/").pipe(
          HttpClientRequest.setHeader("authorization", "token sekret")
        )
      )
      yield* client.execute(HttpClientRequest.head("http://127.0.0.1:9000/bucket/key?X-Amz-Signature=s"))
      const sent = yield* log.requests
      expect(sent).toEqual([
        { method: "GET", origin: "http://127.0.0.1:8000", authorized: true },
        { method: "HEAD", origin: "http://127.0.0.1:9000", authorized: false }
      ])
      expect(JSON.stringify(sent)).not.toContain("sekret")
    }).pipe(Effect.provide(WireLog.layer)))
})

