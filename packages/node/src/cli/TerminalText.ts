/**
 * Text from a server or a file name, made safe for a terminal. An asset path, a dandiset name,
 * a server's error `detail` or a local file name may hold ESC (colour, cursor and OSC title
 * sequences), CR, NUL, newlines or bidirectional overrides; written raw they would redraw the
 * screen, forge lines, or hide text. Every command writes such text through `visible` (plain
 * output, stderr), `jsonLine` (`--json`, `-f json`) or `yamlText` (`-f yaml`).
 *
 * @since 0.1.0
 */
import * as YAML from "yaml"

const named: Readonly<Record<string, string>> = {
  "\0": "\\0",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\u001b": "\\e",
  "\\": "\\\\"
}

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: 8-bit CSI and OSC), the line and paragraph
 * separators, and the bidirectional embeddings, overrides and isolates.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g

const hex = (char: string, width: 2 | 4) => char.charCodeAt(0).toString(16).padStart(width, "0")

/**
 * The text with every control character shown as a visible escape (`\e`, `\n`, `\x07`,
 * `\u202e`) and a backslash doubled, so that what is printed is one line and can be read back
 * unambiguously; everything else, non-ASCII letters included, is kept.
 *
 * @since 0.1.0
 * @category terminal
 */
export const visible = (text: string): string =>
  text.replace(unsafe, (char) => named[char] ?? (char.charCodeAt(0) <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`))

/** Characters JSON and YAML writers leave raw that a terminal would act on; escaped as `\uXXXX`. */
const jsonUnsafe = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * JSON (one line, or indented by `indent`) that a terminal shows as written: `JSON.stringify` already escapes C0 controls;
 * DEL, C1 controls, separators and bidi controls are escaped as `\uXXXX` too. The value parses
 * back exactly: JSON allows any character as an escape, and these occur only inside strings.
 *
 * @since 0.1.0
 * @category terminal
 */
export const jsonLine = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(jsonUnsafe, (char) => `\\u${hex(char, 4)}`)

/**
 * A YAML document that a terminal shows as written and that parses back exactly. Data holding
 * characters the YAML writer leaves raw (C1 controls, separators, bidi controls) is written with
 * double-quoted strings, the one YAML style where `\uXXXX` escapes them.
 *
 * @since 0.1.0
 * @category terminal
 */
export const yamlText = (value: unknown): string => {
  const plain = YAML.stringify(value)
  if (plain.search(jsonUnsafe) === -1) return plain
  return YAML.stringify(value, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 })
    .replace(jsonUnsafe, (char) => `\\u${hex(char, 4)}`)
}
