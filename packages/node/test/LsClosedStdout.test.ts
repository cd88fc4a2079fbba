/**
 * `dandi-effect ls --json … | head -1` on a large dandiset: once stdout is closed, the listing
 * stops at once — the pages in flight are cancelled, no further page is asked for — and the
 * command exits quietly with 141, as a Unix tool killed by SIGPIPE does.
 *
 * No timing: the emulator answers the first asset page and holds every later one until the test
 * ends, so a CLI that waited for the pages in flight, or went on listing, would never exit and
 * the test would fail on its timeout. The emulator counts what was asked for and what the client
 * cancelled (it interrupts a request's handling when the client closes the connection).
 */
import * as Hasher from "@dandi-effect/core/Hasher"
import * as Synthetic from "@dandi-effect/core/testing/Synthetic"
import * as LoopbackServer from "@dandi-effect/node/emulator/LoopbackServer"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Queue, Ref } from "effect"
import { spawn } from "node:child_process"
import { bin, ensureBuilt } from "./support/Cli.js"

const assets = 5000 // five pages of 1000

/** The asset page a request asks for, if it lists the assets of 000001. */
const assetPage = (url: string): number | undefined => {
  const parsed = new URL(url)
  if (!parsed.pathname.endsWith("/dandisets/000001/versions/draft/assets/")) return undefined
  return Number(parsed.searchParams.get("page") ?? "1")
}

describe("ls --json into a reader that closes after one line", () => {
  it.live("cancels the pages in flight, asks for no more, and exits 141 without a word on stderr", () =>
    Effect.scoped(Effect.gen(function*() {
      ensureBuilt()
      const released = yield* Deferred.make<void>()
      yield* Effect.addFinalizer(() => Deferred.succeed(released, undefined))
      const requested = yield* Ref.make<ReadonlyArray<number>>([])
      const cancelled = yield* Queue.unbounded<number>()
      const { apiUrl } = yield* LoopbackServer.make({
        seed: (admin) =>
          Effect.gen(function*() {
            yield* admin.createDandiset({ identifier: "000001", name: "Large", owners: [] })
            yield* Synthetic.addTo(admin, "000001", { count: assets })
          }),
        observe: (_origin, request) => {
          const page = assetPage(request.url)
          if (page === undefined) return Effect.void
          return Ref.update(requested, (pages) => [...pages, page]).pipe(
            Effect.zipRight(
              page === 1
                ? Effect.void
                : Deferred.await(released).pipe(Effect.onInterrupt(() => Queue.offer(cancelled, page)))
            )
          )
        }
      }).pipe(Effect.provide(Hasher.layerPortable), Effect.orDie)

      const outcome = yield* Effect.async<{ code: number | null; firstLine: string; stderr: string }>((resume) => {
        const child = spawn(process.execPath, [bin, "ls", "-i", apiUrl, "--json", "000001/draft"], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, DANDI_API_KEY: "", DANDI_INSTANCE: "" }
        })
        let stdout = ""
        let firstLine = ""
        let stderr = ""
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk
          const end = stdout.indexOf("\n")
          if (end !== -1 && firstLine === "") {
            firstLine = stdout.slice(0, end)
            child.stdout.destroy() // what `head -1` does after its line
          }
        })
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
        child.once("close", (code) => resume(Effect.succeed({ code, firstLine, stderr })))
      })

      expect(JSON.parse(outcome.firstLine).identifier).toBe("000001")
      expect(outcome.stderr).toBe("")
      expect(outcome.code).toBe(141)
      const pages = yield* Ref.get(requested)
      // Page 1, then the pages in flight behind it (DandiConfig.pageConcurrency): never all five.
      expect(pages[0]).toBe(1)
      expect(pages.length).toBeLessThan(assets / 1000)
      // Every held page was given up by the client (its connection closed), not left to run.
      // The emulator sees the close a moment after the CLI exits.
      const given = yield* Queue.takeN(cancelled, pages.length - 1).pipe(Effect.timeout("10 seconds"), Effect.orDie)
      expect([...given].sort()).toEqual(pages.slice(1).sort())
    })), 120_000)
})
