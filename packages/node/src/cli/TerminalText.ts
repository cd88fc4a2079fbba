/**
 * Text from a server or a file name, made safe for a terminal. An asset path, a dandiset name,
 * a server's error `detail` or a local file name may hold ESC (colour, cursor and OSC title
 * sequences), CR, NUL, newlines or bidirectional overrides; written raw they would redraw the
 * screen, forge lines, or hide text. Every command writes such text through `visible` (plain
 * output, stderr), `jsonText` (`--json`, `-f json`) or YamlText's `yamlText` (`-f yaml`, a module
 * of its own so that the YAML writer is loaded only by the command that prints YAML).
 *
 * @since 0.1.0
 */

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
 * True when `text` holds a character JSON and YAML writers leave raw that a terminal would act on
 * (DEL, C1 controls, line and paragraph separators, bidi controls).
 *
 * @since 0.1.0
 * @category terminal
 */
export const hasRawUnsafe = (text: string): boolean => text.search(jsonUnsafe) !== -1

/**
 * `text` (JSON or YAML) with every character `hasRawUnsafe` looks for written as `\uXXXX`: valid
 * inside JSON strings and YAML double-quoted strings, where it parses back to the character.
 *
 * @since 0.1.0
 * @category terminal
 */
export const escapeRawUnsafe = (text: string): string => text.replace(jsonUnsafe, (char) => `\\u${hex(char, 4)}`)

/**
 * JSON (one line, or indented by `indent`) that a terminal shows as written: `JSON.stringify` already escapes C0 controls;
 * DEL, C1 controls, separators and bidi controls are escaped as `\uXXXX` too. The value parses
 * back exactly: JSON allows any character as an escape, and these occur only inside strings.
 *
 * @since 0.1.0
 * @category terminal
 */
export const jsonText = (value: unknown, indent?: number): string => escapeRawUnsafe(JSON.stringify(value, null, indent))
