/**
 * The transport-neutral request/response shapes of the archive emulator. The in-process
 * HttpClient layer and the loopback server both translate to and from these, so the emulator's
 * behaviour is identical over both transports.
 *
 * @since 0.1.0
 */
import type * as Stream from "effect/Stream"

export interface EmulatorRequest {
  readonly method: string
  /** Absolute URL exactly as received (scheme, host, port, path, query). */
  readonly url: string
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

export type EmulatorBody =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  /** Large objects are streamed; `length` is the exact number of bytes the stream yields. */
  | { readonly _tag: "Stream"; readonly length: number; readonly stream: Stream.Stream<Uint8Array> }

export interface EmulatorResponse {
  readonly status: number
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: EmulatorBody
}

/** Which origin of the emulator a request was addressed to. */
export type EmulatorOrigin = "api" | "s3"
