/**
 * `dandi-effect ls [-i INSTANCE] [--json] TARGET` — lists a dandiset (its record, then its
 * assets), or the assets a target names (an asset id, a path, a folder, a prefix, a glob).
 *
 * `--json` prints one JSON object per line in the API's own field names: a dandiset as
 * `{identifier, created, modified, contact_person, embargo_status, most_recent_published_version,
 * draft_version, version}`, an asset as `{asset_id, path, size, created, modified, blob|zarr,
 * metadata}`. Without it, one readable line per item. Any failure (unparsable target, unknown
 * dandiset, network, a rejected API key) ends as one line on stderr and exit 1.
 *
 * The API key is found as dandi-cli's `dandi_authenticate` finds it (NodeDandi with
 * `authenticate: "env-or-store"`): `{NAME}_API_KEY` (e.g. `DANDI_API_KEY`), then the key saved in
 * the OS keyring; with neither, ls runs anonymously. A key that is found is checked before the
 * listing starts, so a wrong one is reported as such rather than as a missing dandiset.
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
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as NodeDandi from "../NodeDandi.js"
import { CliFailure } from "./CliFailure.js"
import { connection } from "./Connection.js"

type Api = DandiApi.DandiApi

/** One listed item, already rendered. */
const dandisetLine = (dandiset: RemoteDandiset, json: boolean) =>
  Effect.gen(function*() {
    const dict = yield* dandiset.jsonDict()
    if (json) return JSON.stringify(dict)
    const v = dict.version
    return `${String(dandiset)}  ${JSON.stringify(v.name)}  ${v.asset_count} assets  ${v.size} bytes  ${v.status}`
  })

const assetLine = (asset: BaseRemoteAsset, json: boolean): string => {
  if (json) {
    return JSON.stringify({
      ...asset.jsonDict(),
      metadata: Option.getOrNull(asset.inlineMetadata)
    })
  }
  const kind = asset.assetType === 2 ? "zarr" : "blob"
  return `${asset.path}  ${asset.size} bytes  ${kind}  ${asset.identifier}`
}

const atVersion = (api: DandiApi.DandiApiShape, dandisetId: string, version: string | undefined) =>
  api.getDandiset(dandisetId, version)

const needsRedirect = (url: string) =>
  new CliFailure({
    message: `${url} has to be resolved through a redirect, which ls does not follow; give the dandiset id or its archive URL instead`
  })

/**
 * The lines `ls` prints for a target, as a Stream (assets are listed as they arrive).
 *
 * @since 0.1.0
 * @category commands
 */
export const listTarget = (target: DandiTarget, json: boolean): Stream.Stream<string, unknown, Api> =>
  Stream.unwrap(Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    const assets = (stream: Stream.Stream<BaseRemoteAsset, unknown, Api>) =>
      Stream.map(stream, (asset) => assetLine(asset, json))
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
        const head = yield* dandisetLine(dandiset, json)
        return Stream.concat(Stream.make(head), assets(dandiset.getAssets("path")))
      }
      case "AssetId":
        return Stream.make(assetLine(yield* api.getAsset(target.assetId), json))
      case "AssetIdInVersion": {
        const dandiset = yield* atVersion(api, target.dandisetId, target.version)
        return Stream.make(assetLine(yield* dandiset.getAsset(target.assetId), json))
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
        return Stream.make(assetLine(yield* dandiset.getAssetByPath(target.path), json))
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

const oneLine = (error: unknown): string => {
  const text = typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)
  return text.replace(/\s+/g, " ").trim()
}

/**
 * Runs `ls` against the archive the target names (NodeDandi: undici, OS keyring).
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (options: { readonly instance: string; readonly json: boolean; readonly target: string }) =>
  Effect.gen(function*() {
    const target = yield* parseDandiUrl(options.target, { defaultInstance: options.instance })
    // Fails before any connection is made.
    if (target._tag === "NeedsRedirect") return yield* needsRedirect(target.url)
    const layerOptions = connection(target.instance)
    yield* listTarget(target, options.json).pipe(
      Stream.runForEach((line) => Console.log(line)),
      Effect.provide(NodeDandi.layer({ ...layerOptions, authenticate: "env-or-store" }))
    )
  }).pipe(
    Effect.mapError((error) => new CliFailure({ message: oneLine(error) }))
  )

const instanceOption = Options.text("dandi-instance").pipe(
  Options.withAlias("i"),
  Options.withDefault("dandi"),
  Options.withDescription("Instance name (dandi, dandi-sandbox, linc, …) or API URL such as http://127.0.0.1:8000/api")
)
const jsonOption = Options.boolean("json").pipe(
  Options.withDescription("One JSON object per line, in the API's field names")
)
const targetArg = Args.text({ name: "TARGET" }).pipe(
  Args.withDescription("000001, 000001/draft, DANDI:000001/0.210812.1448, dandi://dandi/000001@draft/sub-1/, or an archive URL")
)

/**
 * `dandi-effect ls [-i INSTANCE] [--json] TARGET`.
 *
 * @since 0.1.0
 * @category commands
 */
export const lsCommand = Command.make(
  "ls",
  { instance: instanceOption, json: jsonOption, target: targetArg },
  (options) => run(options)
).pipe(Command.withDescription("List a dandiset and its assets, or the assets a target names"))
