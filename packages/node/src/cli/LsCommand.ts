/**
 * `dandi-effect ls [-i INSTANCE] [-f FORMAT] [--json] [--versions] [TARGET]` — lists, as
 * `dandi ls` does:
 *
 * - every dandiset of the instance: no TARGET, `dandi://INSTANCE/`, or the API's
 *   `…/api/dandisets/` URL;
 * - a dandiset's versions: `--versions` with a dandiset target, or `…/api/dandisets/ID/versions/`;
 * - a dandiset (its record, then its assets), or the assets a target names (an asset id, a path,
 *   a folder, a prefix, a glob).
 *
 * The default output is a table with a header and human-readable sizes; `-f json|json_pp|yaml`
 * prints one JSON array or YAML list, and `--json` (`-f json_lines`) one JSON object per line in
 * the API's own field names: a dandiset as `{identifier, created, modified, contact_person,
 * embargo_status, most_recent_published_version, draft_version, version}`, a version as
 * `{version, name, asset_count, size, created, modified, status}`, an asset as `{asset_id, path,
 * size, created, modified, blob|zarr, metadata}`. Any failure (unparsable target, unknown
 * dandiset, network, a rejected API key) ends as one line on stderr and exit 1.
 *
 * The API key goes only to the instance the user chose (`-i`, else `DANDI_INSTANCE`; see
 * Connection.ts): its own variable (`{NAME}_API_KEY`, `DANDI_API_KEY` for the public archive
 * and for an instance given as a URL), then its entry in the OS keyring. A target on another
 * archive than the chosen one is refused; without a chosen instance, a server met only in a
 * pasted URL is read anonymously. A key that is found is checked before the listing starts, so a
 * wrong one is reported as such rather than as a missing dandiset.
 *
 * Everything from the server is printed through TerminalText: plain lines show control
 * characters as visible escapes, `--json` lines parse back to exactly what the server sent.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import { knownInstance } from "@dandi-effect/core/DandiInstance"
import type { DandiTarget } from "@dandi-effect/core/DandiUrl"
import { InstanceRef, parseDandiUrl } from "@dandi-effect/core/DandiUrl"
import type { BaseRemoteAsset } from "@dandi-effect/core/RemoteAsset"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import type { Version, VersionJson } from "@dandi-effect/core/Version"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as v8 from "node:v8"
import { CliFailure } from "./CliFailure.js"
import * as Connection from "./Connection.js"
import * as LsFormat from "./LsFormat.js"

type Api = DandiApi.DandiApi

/**
 * What `ls` lists: the dandisets of an instance, a dandiset's versions, or a resource target.
 *
 * @since 0.1.0
 * @category commands
 */
export type Listing =
  | { readonly _tag: "Dandisets"; readonly instance: InstanceRef }
  | { readonly _tag: "Versions"; readonly instance: InstanceRef; readonly dandisetId: string }
  | { readonly _tag: "Target"; readonly target: DandiTarget }

const versionCells = (dandisetId: string, v: VersionJson): ReadonlyArray<string> => [
  dandisetId,
  v.version,
  v.status,
  String(v.asset_count),
  LsFormat.humanSize(v.size),
  LsFormat.shortTimestamp(v.modified),
  v.name
]

const dandisetListed = (dandiset: RemoteDandiset) =>
  Effect.map(dandiset.jsonDict(), (dict): LsFormat.Listed => ({
    kind: LsFormat.versionTable,
    json: dict,
    cells: versionCells(dict.identifier, dict.version)
  }))

const versionListed = (dandisetId: string, version: Version): LsFormat.Listed => {
  const dict = version.jsonDict()
  return { kind: LsFormat.versionTable, json: dict, cells: versionCells(dandisetId, dict) }
}

/**
 * An asset's JSON form and cells are built when a format asks for them: `--json` never reads
 * the cells (a size and a timestamp formatted per record), a table never reads the JSON.
 */
const assetListed = (asset: BaseRemoteAsset): LsFormat.Listed => ({
  kind: LsFormat.assetTable,
  get json() {
    // jsonDict is a fresh object: completed in place rather than copied into another.
    return Object.assign(asset.jsonDict(), { metadata: Option.getOrNull(asset.inlineMetadata) })
  },
  get cells() {
    return [
      LsFormat.humanSize(asset.size),
      asset.assetType === 2 ? "zarr" : "blob",
      LsFormat.shortTimestamp(asset.modified),
      asset.identifier,
      asset.path
    ]
  }
})

const atVersion = (api: DandiApi.DandiApiShape, dandisetId: string, version: string | undefined) =>
  api.getDandiset(dandisetId, version)

const needsRedirect = (url: string) =>
  new CliFailure({
    message: `${url} has to be resolved through a redirect, which ls does not follow; give the dandiset id or its archive URL instead`
  })

/** The records `ls` prints for a resource target (assets are listed as they arrive). */
const listTarget = (target: DandiTarget): Stream.Stream<LsFormat.Listed, unknown, Api> =>
  Stream.unwrap(Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    const assets = (stream: Stream.Stream<BaseRemoteAsset, unknown, Api>) => Stream.map(stream, assetListed)
    // A path, folder or glob that selects nothing is reported, not printed as an empty list.
    const someAssets = (stream: Stream.Stream<BaseRemoteAsset, unknown, Api>, what: string, where: RemoteDandiset) =>
      assets(stream).pipe(
        Stream.orElseIfEmptyStream(() =>
          Stream.fail(
            new CliFailure({
              message: `No assets ${what} in ${String(where)}; run 'dandi-effect ls ${where.identifier}' to see its assets`
            })
          )
        )
      )
    switch (target._tag) {
      case "Dandiset": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        const head = yield* dandisetListed(dandiset)
        return Stream.concat(Stream.make(head), assets(dandiset.getAssets("path")))
      }
      case "AssetId":
        return Stream.make(assetListed(yield* api.getAsset(target.assetId)))
      case "AssetIdInVersion": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return Stream.make(assetListed(yield* dandiset.getAsset(target.assetId)))
      }
      case "AssetPathPrefix": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return someAssets(
          dandiset.getAssetsWithPathPrefix(target.pathPrefix, "path"),
          `with a path starting ${JSON.stringify(target.pathPrefix)}`,
          dandiset
        )
      }
      case "AssetItem": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return Stream.make(assetListed(yield* dandiset.getAssetByPath(target.path)))
      }
      case "AssetFolder": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return someAssets(
          dandiset.getAssetsWithPathPrefix(target.path, "path"),
          `under ${JSON.stringify(target.path)}`,
          dandiset
        )
      }
      case "AssetGlob": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return someAssets(
          dandiset.getAssetsByGlob(target.glob, "path"),
          `matching ${JSON.stringify(target.glob)}`,
          dandiset
        )
      }
      case "NeedsRedirect":
        return yield* needsRedirect(target.url)
    }
  }))

/**
 * The records `ls` prints for a listing.
 *
 * @since 0.1.0
 * @category commands
 */
export const list = (listing: Listing): Stream.Stream<LsFormat.Listed, unknown, Api> => {
  switch (listing._tag) {
    case "Dandisets":
      return Stream.unwrap(Effect.map(DandiApi.DandiApi, (api) => Stream.mapEffect(api.getDandisets(), dandisetListed)))
    case "Versions":
      return Stream.unwrap(
        Effect.map(DandiApi.DandiApi, (api) =>
          // Asking for the dandiset first turns an unknown id into "No such Dandiset".
          Stream.unwrap(
            Effect.as(
              api.getDandiset(listing.dandisetId),
              Stream.map(api.listVersions(listing.dandisetId), (version) => versionListed(listing.dandisetId, version))
            )
          ))
      )
    case "Target":
      return listTarget(listing.target)
  }
}

/** `scheme://host/[api/]` followed by the API's dandiset collection, or one dandiset's versions. */
const apiDandisets = /^(https?:\/\/[^/?#]+(?:\/api)?)\/dandisets\/?(?:\?.*)?$/i
const apiVersions = /^(https?:\/\/[^/?#]+(?:\/api)?)\/dandisets\/(\d{6})\/versions\/?$/i
const dandiSchemeInstance = /^dandi:\/\/([-\w._]+)\/?$/

const instanceOfTarget = (target: DandiTarget) => target._tag === "NeedsRedirect" ? undefined : target.instance

/**
 * What the command line asks `ls` to list. Never touches the network.
 *
 * @since 0.1.0
 * @category commands
 */
export const parseListing = (
  target: string | undefined,
  options: { readonly instance: string | undefined; readonly versions: boolean }
): Either.Either<Listing, { readonly message: string }> => {
  const text = target?.trim()
  if (text === undefined || text === "") {
    if (options.versions) {
      return Either.left(new CliFailure({ message: "--versions needs a dandiset: dandi-effect ls --versions 000001" }))
    }
    return Either.map(Connection.instanceRef(options.instance ?? "dandi"), (instance): Listing => ({ _tag: "Dandisets", instance }))
  }
  let match: RegExpExecArray | null
  if ((match = dandiSchemeInstance.exec(text)) !== null) {
    return Either.map(
      knownInstance((match[1] ?? "").toLowerCase()),
      (instance): Listing => ({ _tag: "Dandisets", instance: InstanceRef.KnownInstance({ instance }) })
    )
  }
  if ((match = apiDandisets.exec(text)) !== null) {
    return Either.map(Connection.instanceRef(match[1] ?? ""), (instance): Listing => ({ _tag: "Dandisets", instance }))
  }
  if ((match = apiVersions.exec(text)) !== null) {
    const dandisetId = match[2] ?? ""
    return Either.map(Connection.instanceRef(match[1] ?? ""), (instance): Listing => ({ _tag: "Versions", instance, dandisetId }))
  }
  return Either.flatMap(parseDandiUrl(text, options.instance === undefined ? {} : { defaultInstance: options.instance }), (parsed) => {
    if (!options.versions) return Either.right<Listing>({ _tag: "Target", target: parsed })
    if (parsed._tag !== "Dandiset") {
      return Either.left(new CliFailure({ message: `--versions lists a dandiset's versions; ${text} is not a dandiset` }))
    }
    return Either.right<Listing>({ _tag: "Versions", instance: parsed.instance, dandisetId: parsed.dandisetId })
  })
}

const instanceOf = (listing: Listing): InstanceRef | undefined =>
  listing._tag === "Target" ? instanceOfTarget(listing.target) : listing.instance

/**
 * @since 0.1.0
 * @category commands
 */
export interface LsOptions {
  /** The instance the user chose (`-i`, `DANDI_INSTANCE`), if any: the only one its key goes to. */
  readonly instance: string | undefined
  readonly format: LsFormat.Format
  readonly versions: boolean
  readonly target: string | undefined
}

/**
 * Runs `ls` against the archive the target names (NodeDandi: undici, OS keyring).
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (options: LsOptions) =>
  Effect.gen(function*() {
    const listing = yield* parseListing(options.target, options)
    const instance = instanceOf(listing)
    // Fails before any connection is made.
    if (instance === undefined) return yield* needsRedirect(options.target ?? "")
    yield* Effect.sync(boundHeapGrowth)
    yield* Connection.connect(
      instance,
      options.instance,
      options.target ?? options.instance ?? "dandi",
      LsFormat.render(list(listing), options.format).pipe(Stream.runForEachChunk(printLines))
    )
  }).pipe(
    Effect.mapError((error) => new CliFailure({ message: oneLine(error) }))
  )

/**
 * A listing allocates a page of records after another, each garbage once printed, and little
 * stays: ≈ 25 MB live. V8 let the old space grow to about four times that before a full
 * collection, and the young generation to two 16 MiB semi-spaces, which made the peak RSS of
 * `ls --json` 200–220 MiB whatever the dandiset's size. Capping the old space's growth at 1.5×
 * after each full collection, and keeping the young generation at the size start-up left it,
 * brings the peak to ≈ 135–140 MiB for ≈ 15% more CPU in the collector (docs/BENCHMARKS.md,
 * "listing"). Both flags are read while the program runs, so setting them here, before the
 * listing starts, takes effect (a semi-space maximum would only apply at process start).
 */
const boundHeapGrowth = () => v8.setFlagsFromString("--heap-growing-percent=50 --semi-space-growth-factor=1")

/** One write per chunk of lines (a page of records), not one per line. */
const printLines = (lines: Chunk.Chunk<string>) => Chunk.isEmpty(lines) ? Effect.void : Console.log(Chunk.join(lines, "\n"))

const oneLine = (error: unknown): string => {
  const text = typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)
  return text.replace(/\s+/g, " ").trim()
}

const formatOption = Options.choice("format", LsFormat.formats).pipe(
  Options.withAlias("f"),
  Options.withDescription("Output format: table (the default), json, json_pp (indented), json_lines or yaml"),
  Options.optional
)
const jsonOption = Options.boolean("json").pipe(
  Options.withDescription("One JSON object per line, in the API's field names (the same as -f json_lines)")
)
const versionsOption = Options.boolean("versions").pipe(
  Options.withDescription("List the versions of the dandiset TARGET names instead of its assets")
)
const targetArg = Args.text({ name: "TARGET" }).pipe(
  Args.withDescription(
    "What to list: 000001, 000001/draft, DANDI:000001/0.210812.1448, dandi://dandi/000001@draft/sub-1/, an archive URL; without it, every dandiset"
  ),
  Args.optional
)

/**
 * `dandi-effect ls [-i INSTANCE] [--json] TARGET`.
 *
 * @since 0.1.0
 * @category commands
 */
export const lsCommand = Command.make(
  "ls",
  { instance: Connection.instanceOption, format: formatOption, json: jsonOption, versions: versionsOption, target: targetArg },
  ({ format, instance, json, target, versions }) =>
    Effect.gen(function*() {
      if (json && Option.isSome(format) && format.value !== "json_lines") {
        return yield* new CliFailure({ message: `--json prints JSON lines; drop it to use -f ${format.value}` })
      }
      const chosen = json ? "json_lines" : Option.getOrElse(format, () => "table" as const)
      yield* run({
        instance: yield* Connection.chosenInstance(instance),
        format: chosen,
        versions,
        target: Option.getOrUndefined(target)
      })
    })
).pipe(Command.withDescription("List dandisets, a dandiset's versions, or its assets, as a table or as JSON/YAML"))
