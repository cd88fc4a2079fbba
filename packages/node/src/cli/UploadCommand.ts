/**
 * `dandi-effect upload [-i INSTANCE] --dandiset ID [-J N[:M]] [--existing POLICY] [--sync] PATH…`
 * (contract): uploads files and directories to the dandiset's draft. Asset paths are the files'
 * paths relative to the current directory (`cd src && dandi-effect upload … .` puts `src`'s
 * contents at the dandiset root). `-J N:M` uploads N files at once with M parts each in flight.
 *
 * On a terminal: a progress bar per file in flight and one for everything (cli-progress), on
 * stderr. Piped: no bars. Either way one summary line on stdout at the end; each failed file
 * gets one line on stderr, and any failure ends with exit 1. A Zarr directory (`*.zarr`,
 * `*.ngff`) is uploaded as one zarr asset, or synchronised with the one already there.
 *
 * The API key is found as for `ls` (`{NAME}_API_KEY`, `DANDI_API_KEY` for a URL, then the OS
 * keyring); uploading without one fails at once and says which variable to set.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Credentials } from "@dandi-effect/core/Credentials"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import { parseDandiUrl } from "@dandi-effect/core/DandiUrl"
import type { ZarrUploadEvent } from "@dandi-effect/core/ZarrTransfers"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { MultiBar, Presets } from "cli-progress"
import type { SingleBar } from "cli-progress"
import * as LocalUpload from "../LocalUpload.js"
import * as NodeDandi from "../NodeDandi.js"
import * as NodeDigests from "../NodeDigests.js"
import { CliFailure } from "./CliFailure.js"
import { chosenConnection, chosenInstance, instanceOption } from "./Connection.js"
import prettyBytes from "pretty-bytes"

const oneLine = (error: unknown): string => {
  const text = typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)
  return text.replace(/\s+/g, " ").trim()
}

/** Sizes as `ls` and dandi-cli print them: decimal units (`1.34 MB`). */
const size = (bytes: number): string => prettyBytes(bytes)

/**
 * `N` or `N:M` → files at once, parts per file.
 *
 * @since 0.1.0
 * @category commands
 */
export const parseJobs = (text: string): { readonly files: number; readonly parts: number } | undefined => {
  const match = /^(\d+)(?::(\d+))?$/.exec(text.trim())
  if (match === null) return undefined
  const files = Number(match[1])
  const parts = match[2] === undefined ? 5 : Number(match[2])
  return files >= 1 && parts >= 1 ? { files, parts } : undefined
}

const zarrStatus: Record<ZarrUploadEvent["_tag"], string> = {
  ProducingAsset: "producing asset",
  Comparing: "comparing against remote zarr",
  Deleting: "deleting remote files",
  Initiating: "initiating upload",
  Uploading: "uploading",
  Renewing: "renewing URLs",
  Finalizing: "server calculating checksum",
  ChecksumMismatch: "checksum mismatch",
  Done: "done"
}

interface Tally {
  uploaded: number
  deduplicated: number
  resumed: number
  skipped: number
  failed: number
  deleted: number
  bytesSent: number
  firstFailure: string | undefined
}

/** Draws bars on a terminal; does nothing when stderr is not one. */
const makeBars = (enabled: boolean) => {
  if (!enabled) return undefined
  const multibar = new MultiBar(
    {
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      format: " {bar} {percentage}% | {name} | {done}/{size} {status}",
      autopadding: true
    },
    Presets.shades_classic
  )
  const overall = multibar.create(1, 0, { name: "all files", done: "0 B", size: "0 B", status: "" })
  const files = new Map<string, SingleBar>()
  const inFlight = new Map<string, number>()
  let finishedBytes = 0
  let totalBytes = 0
  const refreshOverall = () => {
    const done = finishedBytes + [...inFlight.values()].reduce((a, b) => a + b, 0)
    overall.setTotal(Math.max(1, totalBytes))
    overall.update(done, { done: size(done), size: size(totalBytes) })
  }
  return {
    planned: (total: number, count: number) => {
      totalBytes = total
      overall.update(0, { name: `${count} files`, done: "0 B", size: size(total), status: "" })
      refreshOverall()
    },
    progress: (path: string, fileSize: number, done: number, status: string) => {
      let bar = files.get(path)
      if (bar === undefined) {
        bar = multibar.create(Math.max(1, fileSize), 0, { name: path, done: "0 B", size: size(fileSize), status })
        files.set(path, bar)
      }
      bar.update(done, { done: size(done), status })
      inFlight.set(path, done)
      refreshOverall()
    },
    finished: (path: string, fileSize: number) => {
      const bar = files.get(path)
      if (bar !== undefined) multibar.remove(bar)
      files.delete(path)
      inFlight.delete(path)
      finishedBytes += fileSize
      refreshOverall()
    },
    log: (line: string) => multibar.log(`${line}\n`),
    stop: () => multibar.stop()
  }
}

/**
 * @since 0.1.0
 * @category commands
 */
export interface UploadCliOptions {
  readonly instance: string
  readonly dandiset: string
  readonly jobs: string
  readonly existing: LocalUpload.ExistingPolicy
  readonly sync: boolean
  readonly paths: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category commands
 */
export const run = (options: UploadCliOptions) =>
  Effect.gen(function*() {
    if (!/^\d{6}$/.test(options.dandiset)) {
      return yield* new CliFailure({
        message: `--dandiset ${options.dandiset}: a dandiset id is six digits, e.g. 000123`
      })
    }
    const jobs = parseJobs(options.jobs)
    if (jobs === undefined) {
      return yield* new CliFailure({ message: `-J ${options.jobs}: give N or N:M (files at once, parts per file), e.g. 4:5` })
    }
    // The dandiset id read as a target names the instance the way `ls` resolves `-i`.
    const target = yield* Effect.mapError(
      parseDandiUrl(options.dandiset, { defaultInstance: options.instance }),
      (error) => new CliFailure({ message: oneLine(error) })
    )
    if (target._tag === "NeedsRedirect") return yield* new CliFailure({ message: `Cannot use ${options.instance} as an instance` })
    const layerOptions = chosenConnection(target.instance)
    const bars = makeBars(process.stderr.isTTY === true)
    const tally: Tally = {
      uploaded: 0,
      deduplicated: 0,
      resumed: 0,
      skipped: 0,
      failed: 0,
      deleted: 0,
      bytesSent: 0,
      firstFailure: undefined
    }
    const sizes = new Map<string, number>()

    const render = (event: LocalUpload.LocalUploadEvent) =>
      Effect.sync(() => {
        switch (event._tag) {
          case "Planned":
            for (const file of event.files) sizes.set(file.assetPath, file.size)
            bars?.planned(event.totalBytes, event.files.length)
            return
          case "File": {
            const { event: step, file } = event
            const status = step._tag === "Hashing"
              ? "hashing"
              : step._tag === "Finalizing"
              ? step.step
              : step._tag === "Deduplicated"
              ? "already stored"
              : "uploading"
            const done = step._tag === "Progress" || step._tag === "PartUploaded" ? step.bytesDone : 0
            bars?.progress(file.assetPath, file.size, done, status)
            return
          }
          case "Zarr": {
            const { event: step, file } = event
            switch (step._tag) {
              case "Uploading":
                bars?.progress(file.assetPath, step.bytesTotal, step.bytesDone, `${step.filesDone}/${step.filesTotal} entries`)
                return
              case "Renewing":
                bars?.progress(file.assetPath, file.size, 0, `renewing ${step.files} URLs`)
                return
              case "Done":
                return
              default:
                bars?.progress(file.assetPath, file.size, 0, zarrStatus[step._tag])
                return
            }
          }
          case "Finished": {
            const outcome = event.outcome
            bars?.finished(outcome.file.assetPath, outcome.file.size)
            switch (outcome._tag) {
              case "Uploaded":
                tally.uploaded++
                if (outcome.result.deduplicated) tally.deduplicated++
                else tally.bytesSent += outcome.file.size
                if (outcome.result.resumed) tally.resumed++
                return
              case "ZarrUploaded":
                tally.uploaded++
                tally.bytesSent += outcome.result.bytesUploaded
                return
              case "Skipped":
                tally.skipped++
                return
              case "Failed": {
                tally.failed++
                const line = `${outcome.file.assetPath}: ${oneLine(outcome.error)}`
                tally.firstFailure ??= line
                if (bars !== undefined) bars.log(`dandi-effect: ${line}`)
                else globalThis.console.error(`dandi-effect: ${line}`)
                return
              }
            }
            return
          }
          case "Deleted":
            tally.deleted++
            return
        }
      })

    const program = Effect.gen(function*() {
      const api = yield* DandiApi.DandiApi
      const credentials = yield* Credentials
      if (Option.isNone(yield* credentials.get)) {
        return yield* new CliFailure({
          message: `Uploading needs an API key for ${api.location.instanceName}: set ${api.apiKeyEnvVar} (or save a key in the keyring) and try again`
        })
      }
      yield* LocalUpload.upload({
        dandisetId: options.dandiset,
        paths: options.paths,
        existing: options.existing,
        jobs: jobs.files,
        partJobs: jobs.parts,
        sync: options.sync
      }).pipe(Stream.runForEach(render))
    }).pipe(
      Effect.provide(NodeDigests.layer),
      Effect.provide(NodeDandi.layer({ ...layerOptions, authenticate: "env-or-store" })),
      Effect.ensuring(Effect.sync(() => bars?.stop()))
    )
    yield* program
    const parts = [
      `uploaded ${tally.uploaded} file${tally.uploaded === 1 ? "" : "s"} (${size(tally.bytesSent)} sent${
        tally.deduplicated > 0 ? `, ${tally.deduplicated} already stored` : ""
      }${tally.resumed > 0 ? `, ${tally.resumed} resumed` : ""})`,
      `skipped ${tally.skipped}`,
      ...(options.sync ? [`deleted ${tally.deleted}`] : []),
      `failed ${tally.failed}`
    ]
    yield* Console.log(`dandi-effect upload: ${parts.join(", ")}`)
    if (tally.failed > 0) {
      return yield* new CliFailure({
        message: `${tally.failed} file${tally.failed === 1 ? "" : "s"} failed to upload (first: ${tally.firstFailure})`
      })
    }
  }).pipe(Effect.mapError((error) => error instanceof CliFailure ? error : new CliFailure({ message: oneLine(error) })))

const dandisetOption = Options.text("dandiset").pipe(
  Options.withDescription("The dandiset (six digits) whose draft receives the files")
)
const jobsOption = Options.text("jobs").pipe(
  Options.withAlias("J"),
  Options.withDefault("5"),
  Options.withDescription("Files uploaded at once, optionally :parts per file in flight (e.g. 4:5)")
)
const existingOption = Options.choice("existing", LocalUpload.existingPolicies).pipe(
  Options.withDefault("refresh" as const),
  Options.withDescription(
    "What to do when the path already holds an asset: error, skip, overwrite (unless same content), refresh (unless same content or the remote is newer), force"
  )
)
const syncOption = Options.boolean("sync").pipe(
  Options.withDescription("After uploading, delete remote assets under the given paths that have no local file")
)
const pathsArg = Args.text({ name: "PATH" }).pipe(
  Args.withDescription("Files or directories; asset paths are relative to the current directory"),
  Args.atLeast(1)
)

/**
 * @since 0.1.0
 * @category commands
 */
export const uploadCommand = Command.make(
  "upload",
  {
    instance: instanceOption,
    dandiset: dandisetOption,
    jobs: jobsOption,
    existing: existingOption,
    sync: syncOption,
    paths: pathsArg
  },
  (options) =>
    // The instance the user chose (-i, else DANDI_INSTANCE), else the public archive.
    Effect.flatMap(chosenInstance(options.instance), (chosen) => run({ ...options, instance: chosen ?? "dandi" }))
).pipe(Command.withDescription("Upload files and directories to a dandiset's draft"))
