/**
 * YAML for `ls -f yaml` that a terminal shows as written (see TerminalText.ts): in a module of its
 * own so that only the command printing YAML loads the YAML writer.
 *
 * @since 0.1.0
 */
import * as YAML from "yaml"
import { escapeRawUnsafe, hasRawUnsafe } from "./TerminalText.js"

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
  if (!hasRawUnsafe(plain)) return plain
  return escapeRawUnsafe(
    YAML.stringify(value, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 })
  )
}
