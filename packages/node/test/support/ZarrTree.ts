/**
 * Local zarr trees for tests: OME-Zarr-like nested groups of arrays with many small chunks,
 * written deterministically so a test can name any chunk and its bytes.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export interface ZarrTreeShape {
  /** Groups at the top (`g0`, `g1`, …), each with a nested `labels` group. */
  readonly groups: number
  /** Arrays per group; each holds `side × side` chunks under `c/<x>/<y>`. */
  readonly arrays: number
  readonly side: number
  /** Distinguishes trees of different tests (their chunks differ). */
  readonly tag: string
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix))

export const writeFile = (root: string, path: string, content: string | Uint8Array): void => {
  const absolute = join(root, ...path.split("/"))
  mkdirSync(dirname(absolute), { recursive: true })
  writeFileSync(absolute, content)
}

/** Writes the tree under `root`; returns every file path (relative, `/`-separated). */
export const writeZarrTree = (root: string, shape: ZarrTreeShape): Array<string> => {
  const paths: Array<string> = []
  // Thousands of chunks share a few hundred directories: create each directory once.
  const made = new Set<string>()
  const put = (path: string, content: string) => {
    const absolute = join(root, ...path.split("/"))
    const dir = dirname(absolute)
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true })
      made.add(dir)
    }
    writeFileSync(absolute, content)
    paths.push(path)
  }
  put(".zgroup", JSON.stringify({ zarr_format: 2 }))
  put(".zattrs", JSON.stringify({ multiscales: [{ version: "0.4", name: shape.tag }] }))
  for (let g = 0; g < shape.groups; g++) {
    put(`g${g}/.zgroup`, JSON.stringify({ zarr_format: 2 }))
    put(`g${g}/labels/.zgroup`, JSON.stringify({ zarr_format: 2 }))
    put(`g${g}/labels/.zattrs`, JSON.stringify({ labels: [`${shape.tag}-${g}`] }))
    for (let a = 0; a < shape.arrays; a++) {
      put(`g${g}/${a}/.zarray`, JSON.stringify({ chunks: [1, 1], dtype: "<u1", shape: [shape.side, shape.side] }))
      for (let x = 0; x < shape.side; x++) {
        for (let y = 0; y < shape.side; y++) put(`g${g}/${a}/c/${x}/${y}`, `${shape.tag}:${g}:${a}:${x}:${y}`)
      }
    }
  }
  return paths
}
