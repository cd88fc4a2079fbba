/**
 * The YAML of `dandiset.yaml`, in a module of its own so that it is loaded only when a
 * dandiset.yaml is written (folder.ts imports it lazily): `ls` and the library's listings reach
 * folder.ts but never write YAML, and the writer is ≈ 110 KB to load and compile. A lazy import of
 * the `yaml` package itself loses its named exports in the CLI's bundle; a local module keeps them.
 */
import * as YAML from "yaml"

/** The file's content, or undefined when it is not YAML. */
export const parse = (text: string): unknown => {
  try {
    return YAML.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** One spelling per value, to tell whether a file's content changed. */
export const canonical = (value: unknown): string => YAML.stringify(value, { sortMapEntries: true })

/** Block YAML with sorted keys, as PyYAML's `safe_dump` writes dandi-cli's dandiset.yaml. */
export const render = (value: unknown): string =>
  YAML.stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 80, minContentWidth: 0 })
