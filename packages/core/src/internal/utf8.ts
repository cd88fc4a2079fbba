/**
 * UTF-8 conversion. Core compiles without DOM or Node typings, but every platform it runs on has
 * `TextEncoder`/`TextDecoder`, so they are reached through a minimal structural type.
 *
 * @internal
 */
interface TextCodecs {
  readonly TextEncoder: new() => { encode(input: string): Uint8Array }
  readonly TextDecoder: new(label?: string) => { decode(input: Uint8Array): string }
}

const codecs = globalThis as unknown as TextCodecs
const encoder = new codecs.TextEncoder()
const decoder = new codecs.TextDecoder("utf-8")

export const encode = (text: string): Uint8Array => encoder.encode(text)

export const decode = (bytes: Uint8Array): string => decoder.decode(bytes)
