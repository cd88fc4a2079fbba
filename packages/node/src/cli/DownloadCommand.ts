/**
 * `dandi-effect download [-i INSTANCE] [-o DIR] [-J N] [--existing POLICY] TARGET…`
 *
 * TARGET is anything `ls` accepts. Layout, as dandi-cli's: a dandiset (or a folder, prefix or
 * glob of one) goes to `DIR/<dandiset id>/<asset path>`, with `dandiset.yaml` beside the assets
 * when the whole dandiset is asked for; a single asset goes to `DIR/<file name>`. Every file is
 * verified before it appears, and an interrupted download resumes on the next run (`resuming
 * big.bin from 212 MiB`). On a terminal, progress bars (cli-progress) show each file in flight;
 * piped, only resumes, retries and failures are reported, on stderr. The last line on stdout
 * sums up; when any file failed or was refused, the command exits 1 with a one-line reason.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { DandiTarget } from "@dandi-effect/core/DandiUrl"
import { parseDandiUrl } from "@dandi-effect/core/DandiUrl"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { basename, resolve } from "node:path"
import * as NodeDownload from "../NodeDownload.js"
import { CliFailure } from "./CliFailure.js"
import * as Connection from "./Connection.js"
import * as DownloadProgress from "./DownloadProgress.js"

type Api = DandiApi.DandiApi

const oneLine = (error: unknown): string => {
  const text = typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)
  return text.replace(/\s+/g, " ").trim()
}

const singleAsset = (asset: BaseRemoteAsset, outDir: string, options: NodeDownload.FolderOptions) =>
  NodeDownload.assets(Stream.make(asset), outDir, { ...options, relativePath: (a) => basename(a.path) })

/**
 * The events of downloading one target.
 *
 * @since 0.1.0
 * @category commands
 */
export const downloadTarget = (
  target: DandiTarget,
  outDir: string,
  options: NodeDownload.FolderOptions
): Stream.Stream<NodeDownload.FileEvent, unknown, Api | NodeDownload.Requirements> =>
  Stream.unwrap(Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    switch (target._tag) {
      case "Dandiset": {
        const dandiset = yield* api.getDandiset(target.dandisetId, target.version)
        return NodeDownload.dandiset(dandiset, outDir, options)
      }
      case "AssetPathPrefix":
      case "AssetFolder": {
        const dandiset = yield* api.getDandiset(target.dandisetId, target.version)
        const pathPrefix = target._tag === "AssetFolder" ? target.path : target.pathPrefix
        return NodeDownload.dandiset(dandiset, outDir, { ...options, pathPrefix })
      }
      case "AssetGlob": {
        const dandiset = yield* api.getDandiset(target.dandisetId, target.version)
        return NodeDownload.dandiset(dandiset, outDir, { ...options, listing: dandiset.getAssetsByGlob(target.glob, "path") })
      }
      case "AssetItem": {
        const dandiset = yield* api.getDandiset(target.dandisetId, target.version)
        return singleAsset(yield* dandiset.getAssetByPath(target.path), outDir, options)
      }
      case "AssetId":
        return singleAsset(yield* api.getAsset(target.assetId), outDir, options)
      case "AssetIdInVersion": {
        const dandiset = yield* api.getDandiset(target.dandisetId, target.version)
        return singleAsset(yield* dandiset.getAsset(target.assetId), outDir, options)
      }
      case "NeedsRedirect":
        return yield* new CliFailure({
          message: `${target.url} has to be resolved through a redirect, which download does not follow; give the dandiset id or its archive URL instead`
        })
    }
  }))

/**
 * The parsed command line.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadArguments {
  readonly instance: Option.Option<string>
  readonly output: string
  readonly jobs: number
  readonly existing: NodeDownload.ExistingPolicy
  readonly targets: ReadonlyArray<string>
}

/**
 * Runs `download`: every target parsed first, then downloaded; exit 1 when any file failed.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (args: DownloadArguments) =>
  Effect.gen(function*() {
    if (!Number.isInteger(args.jobs) || args.jobs < 1) {
      return yield* new CliFailure({ message: `-J must be a whole number ≥ 1 (got ${args.jobs})` })
    }
    // Every target is understood before anything is downloaded.
    const chosen = yield* Connection.chosenInstance(args.instance)
    const targets = yield* Effect.forEach(
      args.targets,
      (text) => Effect.map(parseDandiUrl(text, chosen === undefined ? {} : { defaultInstance: chosen }), (target) => ({ target, text }))
    )
    const outDir = resolve(args.output)
    const progress = DownloadProgress.make(process.stderr)
    const options = { existing: args.existing, jobs: args.jobs }
    for (const { target, text } of targets) {
      if (target._tag === "NeedsRedirect") {
        return yield* new CliFailure({
          message: `${target.url} has to be resolved through a redirect, which download does not follow; give the dandiset id or its archive URL instead`
        })
      }
      // The key goes only to the chosen instance (Connection.ts); a pasted server gets none.
      yield* Connection.connect(
        target.instance,
        chosen,
        text,
        Stream.runForEach(downloadTarget(target, outDir, options), (event) => Effect.sync(() => progress.onEvent(event)))
      ).pipe(Effect.ensuring(Effect.sync(() => progress.stop())))
    }
    const summary = progress.summary()
    yield* Console.log(`${summary.line} into ${outDir}`)
    if (summary.failed > 0) {
      return yield* new CliFailure({
        message: `${summary.failed} of ${summary.files} file${summary.files === 1 ? "" : "s"} could not be downloaded (${summary.firstFailure}); fix what is reported above and run the same command again to resume`
      })
    }
  }).pipe(
    Effect.mapError((error) => error instanceof CliFailure ? error : new CliFailure({ message: oneLine(error) }))
  )

const outputOption = Options.directory("output-dir").pipe(
  Options.withAlias("o"),
  Options.withDefault("."),
  Options.withDescription("Where to put the files (DIR/<dandiset id>/<asset path>)")
)
const jobsOption = Options.integer("jobs").pipe(
  Options.withAlias("J"),
  Options.withDefault(6),
  Options.withDescription("Files downloaded at once")
)
const existingOption = Options.choice("existing", NodeDownload.existingPolicies).pipe(
  Options.withDefault("error" as const),
  Options.withDescription("What to do with files already there")
)
const targetsArg = Args.text({ name: "TARGET" }).pipe(
  Args.atLeast(1),
  Args.withDescription("000001, 000001/draft, DANDI:000001/0.210812.1448, dandi://dandi/000001@draft/sub-1/, or an archive URL")
)

/**
 * @since 0.1.0
 * @category commands
 */
export const downloadCommand = Command.make(
  "download",
  { instance: Connection.instanceOption, output: outputOption, jobs: jobsOption, existing: existingOption, targets: targetsArg },
  (options) => run(options)
).pipe(Command.withDescription("Download dandisets, folders or assets, verified and resumable"))
