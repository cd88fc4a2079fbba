/**
 * The folder view of a version's asset paths, for `assets/paths/` and WebDAV `atpath`: direct
 * children of a folder (sorted by byte order) and per-folder file counts and sizes.
 *
 * @since 0.1.0
 */
import type { Asset, Env, Version } from "./ArchiveState.js"
import * as ArchiveState from "./ArchiveState.js"
import { compareBytes } from "./ObjectStore.js"

export interface Child {
  /** Full path from the root. */
  readonly path: string
  /** Set for files. */
  readonly asset: Asset | undefined
}

export interface FolderView {
  readonly isFolder: (folder: string) => boolean
  readonly aggregate: (folder: string) => { readonly files: number; readonly size: number }
  readonly children: (folder: string) => ReadonlyArray<Child>
}

export const folderView = (env: Env, version: Version): FolderView => {
  const assets = ArchiveState.versionAssets(env.state, version)
  const folders = new Map<string, { files: number; size: number }>([["", { files: 0, size: 0 }]])
  const children = new Map<string, Map<string, Child>>()
  const addChild = (parent: string, child: Child) => {
    let set = children.get(parent)
    if (set === undefined) children.set(parent, set = new Map())
    if (!set.has(child.path)) set.set(child.path, child)
  }
  for (const asset of assets) {
    const size = ArchiveState.assetSize(env.state, asset)
    const parts = asset.path.split("/")
    let parent = ""
    for (let i = 0; i < parts.length - 1; i++) {
      const folder = parts.slice(0, i + 1).join("/")
      if (!folders.has(folder)) folders.set(folder, { files: 0, size: 0 })
      addChild(parent, { path: folder, asset: undefined })
      parent = folder
    }
    addChild(parent, { path: asset.path, asset })
    for (let i = 0; i < parts.length; i++) {
      const agg = folders.get(parts.slice(0, i).join("/"))!
      agg.files += 1
      agg.size += size
    }
  }
  return {
    isFolder: (folder) => folders.has(folder),
    aggregate: (folder) => folders.get(folder) ?? { files: 0, size: 0 },
    children: (folder) => [...(children.get(folder)?.values() ?? [])].sort((a, b) => compareBytes(a.path, b.path))
  }
}
