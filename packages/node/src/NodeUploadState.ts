/**
 * Resumable-upload state on disk: one small JSON file per upload, named by a hash of its key
 * (the file's identity, the dandiset and the dandi-etag), written to a temporary name and
 * renamed into place so that a process killed mid-write never leaves a torn state. Reading or
 * writing never fails an upload: a broken state only costs a fresh start.
 *
 * Directory: `DANDI_UPLOAD_STATE_DIR`, else `uploads/` in the digest cache directory
 * (`DANDI_CACHE_DIR`, `$XDG_CACHE_HOME/dandi-effect`, `~/.cache/dandi-effect`).
 *
 * @since 0.1.0
 */
import * as UploadState from "@dandi-effect/core/UploadState"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { mkdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { directoryConfig } from "./DigestCache.js"

const decode = Schema.decodeUnknownOption(Schema.parseJson(UploadState.ResumableUpload))
const encode = Schema.encodeSync(Schema.parseJson(UploadState.ResumableUpload))

/**
 * A store in `directory`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (directory: string): UploadState.UploadStateStoreShape => {
  const fileOf = (key: string) => join(directory, `${createHash("sha256").update(key).digest("hex")}.json`)
  return {
    load: (key) =>
      Effect.promise(() => readFile(fileOf(key), "utf8").then(decode, () => Option.none())),
    save: (key, state) =>
      Effect.promise(async () => {
        const target = fileOf(key)
        const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
        try {
          await mkdir(directory, { recursive: true })
          await writeFile(temporary, encode(state))
          await rename(temporary, target)
        } catch {
          await unlink(temporary).catch(() => undefined)
        }
      }),
    remove: (key) => Effect.promise(() => rm(fileOf(key), { force: true }).catch(() => undefined))
  }
}

/**
 * The directory the environment selects (see the module comment).
 *
 * @since 0.1.0
 * @category config
 */
export const directory: Config.Config<string> = Config.string("DANDI_UPLOAD_STATE_DIR").pipe(
  // An empty variable counts as unset, as shells commonly leave them.
  Config.validate({ message: "empty", validation: (value) => value !== "" }),
  Config.orElse(() => Config.map(directoryConfig, (cache) => join(cache, "uploads")))
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerAt = (dir: string): Layer.Layer<UploadState.UploadStateStore> =>
  Layer.succeed(UploadState.UploadStateStore, make(dir))

/**
 * The store in the directory the environment selects.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<UploadState.UploadStateStore> = Layer.effect(
  UploadState.UploadStateStore,
  Effect.map(directory, make).pipe(Effect.orDie)
)
