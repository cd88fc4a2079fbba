/**
 * Where resumable uploads keep what they have done: the upload id, the presigned part URLs and
 * the parts the object store has confirmed. A later attempt at the same data (same source
 * identity and digest) reads it back and sends only the missing parts, as long as the URLs are
 * still valid.
 *
 * The store never fails an upload: a state that cannot be read is treated as absent, and one
 * that cannot be written only costs the ability to resume. Node keeps states in a directory
 * (`NodeUploadState`); `layerMemory` keeps them for the life of the layer (tests, browsers).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * One part the archive handed out: its number, size and presigned PUT URL.
 *
 * @since 0.1.0
 * @category models
 */
export class PlannedPart extends Schema.Class<PlannedPart>("@dandi-effect/core/UploadState/PlannedPart")({
  partNumber: Schema.Number,
  size: Schema.Number,
  uploadUrl: Schema.String
}) {}

/**
 * One part the object store confirmed, with the ETag it returned (checked against its MD5).
 *
 * @since 0.1.0
 * @category models
 */
export class ConfirmedPart extends Schema.Class<ConfirmedPart>("@dandi-effect/core/UploadState/ConfirmedPart")({
  partNumber: Schema.Number,
  size: Schema.Number,
  etag: Schema.String
}) {}

/**
 * The persisted state of one multipart upload.
 *
 * @since 0.1.0
 * @category models
 */
export class ResumableUpload extends Schema.Class<ResumableUpload>("@dandi-effect/core/UploadState/ResumableUpload")({
  dandisetId: Schema.String,
  etag: Schema.String,
  size: Schema.Number,
  uploadId: Schema.String,
  parts: Schema.Array(PlannedPart),
  confirmed: Schema.Array(ConfirmedPart),
  /** `parts`: sending parts; `completed`: the object store assembled the object. */
  phase: Schema.Literal("parts", "completed")
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadStateStoreShape {
  readonly load: (key: string) => Effect.Effect<Option.Option<ResumableUpload>>
  readonly save: (key: string, state: ResumableUpload) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class UploadStateStore extends Context.Tag("@dandi-effect/core/UploadStateStore")<
  UploadStateStore,
  UploadStateStoreShape
>() {}

/**
 * The key of an upload's state: the source's identity, the dandiset and the digest, so a
 * changed file never resumes an upload of its earlier content.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOf = (identity: string, dandisetId: string, etag: string): string => `${identity}|${dandisetId}|${etag}`

/**
 * A store that remembers nothing: every upload starts afresh.
 *
 * @since 0.1.0
 * @category constructors
 */
export const disabled: UploadStateStoreShape = {
  load: () => Effect.succeed(Option.none()),
  save: () => Effect.void,
  remove: () => Effect.void
}

/**
 * A store in memory, for the life of the layer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<UploadStateStoreShape> = Effect.sync(() => {
  const states = new Map<string, ResumableUpload>()
  return {
    load: (key) => Effect.sync(() => Option.fromNullable(states.get(key))),
    save: (key, state) => Effect.sync(() => void states.set(key, state)),
    remove: (key) => Effect.sync(() => void states.delete(key))
  }
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layerDisabled: Layer.Layer<UploadStateStore> = Layer.succeed(UploadStateStore, disabled)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<UploadStateStore> = Layer.effect(UploadStateStore, makeMemory)
