/**
 * The first example of dandi-cli's `dandi.dandiapi` documentation, in dandi-effect: every asset
 * of the latest published version of every dandiset whose metadata names a measurement
 * technique. Listings carry inline metadata, so reading each asset's metadata costs no request.
 *
 * Run it against the real archive (read-only, no key needed):
 *
 *   const program = assetsMeasuredWith("two-photon").pipe(Stream.runForEach((a) => Console.log(a.path)))
 *   NodeRuntime.runMain(program.pipe(Effect.provide(NodeDandi.layer({ instance: "dandi" }))))
 *
 * Against the demo archive (`npx dandi-effect emulator --seed demo`, then `instance:` its API URL),
 * "extracellular electrophysiology" finds the published sessions and "behavioral" one of them.
 */
import type { DandiError, RemoteAsset } from "@dandi-effect/core"
import { DandiApi } from "@dandi-effect/core"
import { Effect, identity, Stream } from "effect"

export const assetsMeasuredWith = (
  technique: string
): Stream.Stream<RemoteAsset.RemoteAsset, DandiError.DandiError, DandiApi.DandiApi> =>
  Stream.unwrap(Effect.map(DandiApi.DandiApi, (api) => api.getDandisets())).pipe(
    Stream.mapEffect((dandiset) =>
      Effect.flatMap(dandiset.mostRecentPublishedVersion, (published) =>
        published === null ? Effect.succeedNone : Effect.asSome(dandiset.forVersion(published))
      )
    ),
    Stream.filterMap(identity),
    Stream.flatMap((published) => published.getAssets()),
    Stream.filterEffect((asset) =>
      Effect.map(asset.getMetadata(), (metadata) =>
        (metadata.measurementTechnique ?? []).some((term) => term.name?.includes(technique) === true)
      )
    )
  )
