/**
 * A tour of one dandiset: its versions, the top level of its file tree with aggregate sizes, one
 * asset found by exact path, and that asset's digest and content URL (the object store URL, found
 * by following the API's download redirect without sending the token there).
 */
import { DandiApi } from "@dandi-effect/core"
import { Chunk, Effect, Stream } from "effect"

export const inspectDandiset = (identifier: string, assetPath: string) =>
  Effect.gen(function*() {
    const api = yield* DandiApi.DandiApi
    const dandiset = yield* api.getDandiset(identifier, "draft")
    const versions = Chunk.toReadonlyArray(yield* Stream.runCollect(dandiset.getVersions()))
    const topLevel = Chunk.toReadonlyArray(yield* Stream.runCollect(dandiset.getFolder("")))
    const asset = yield* dandiset.getAssetByPath(assetPath)
    return {
      name: (yield* dandiset.version).name,
      versions: versions.map((version) => version.identifier),
      topLevel: topLevel.map((entry) => ({ path: entry.path, files: entry.aggregate_files, bytes: entry.aggregate_size })),
      etag: yield* asset.getRawDigest(),
      storageUrl: yield* asset.getContentUrl({ followRedirects: 1, stripQuery: true })
    }
  })
