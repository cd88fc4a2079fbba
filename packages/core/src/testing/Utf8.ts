/**
 * UTF-8 conversion for the emulator. Core compiles without DOM or Node typings, but every
 * JavaScript platform we run on has `TextEncoder`/`TextDecoder`, so they are reached through a
 * minimal structural type instead of the lib declarations.
 *
 * @since 0.1.0
 */
interface TextCodecs {
  readonly TextEncoder: new() => { encode(input: string): Uint8Array }
  readonly TextDecoder: new(label?: string, options?: { fatal?: boolean }) => { decode(input: Uint8Array): string }
}

const codecs = globalThis as unknown as TextCodecs
const encoder = new codecs.TextEncoder()
const decoder = new codecs.TextDecoder("utf-8")
const strictDecoder = new codecs.TextDecoder("utf-8", { fatal: true })

export const encode = (text: string): Uint8Array => encoder.encode(text)

export const decode = (bytes: Uint8Array): string => decoder.decode(bytes)

/** `undefined` when the bytes are not valid UTF-8. */
export const decodeStrict = (bytes: Uint8Array): string | undefined => {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return undefined
  }
}
