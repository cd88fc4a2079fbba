/** Test helpers for the digest tests: scoped temp directories and the spec §8.2 tree on disk. */
import { Effect } from "effect"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { eightFileTree } from "../../core/test/DigestVectors.js"

/** A temporary directory removed when the test's scope closes. */
export const tempDir = (prefix = "dandi-effect-test-") =>
  Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), prefix))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

/** Writes spec §8.2's 8-file tree to disk, with the extras a real checkout has. */
export const writeEightFileTree = (root: string, options: { readonly withNoise?: boolean } = {}) =>
  Effect.promise(async () => {
    for (const file of eightFileTree) {
      await mkdir(dirname(join(root, file.path)), { recursive: true })
      await writeFile(join(root, file.path), file.content)
    }
    // The spec's tree also has an empty directory, which must not count.
    await mkdir(join(root, "empty", "deeper"), { recursive: true })
    if (options.withNoise) {
      // Excluded names at several depths (spec §6.1): none of these may change the checksum.
      for (const path of [".git/HEAD", ".git/objects/ab/cd", ".datalad/config", "sub1/.dandi/x.json", "sub2/deep/.git/y"]) {
        await mkdir(dirname(join(root, path)), { recursive: true })
        await writeFile(join(root, path), "noise")
      }
      await writeFile(join(root, ".gitattributes"), "* annex")
      await writeFile(join(root, "sub1/subsub/.gitmodules"), "[submodule]")
    }
  })
