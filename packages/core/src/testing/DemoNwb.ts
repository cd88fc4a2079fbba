/**
 * A small NWB file (HDF5) for the demo seed: an NWBFile with a subject and one
 * ElectricalSeries whose `data` is 32768 × 16 int16 samples (1048576 bytes, stored
 * contiguously). The HDF5 bytes around the raw data come from `internal/demoNwbBytes.ts`, which
 * `scripts/generate-demo-nwb.mjs` generates (h5wasm); the data is the emulator's deterministic bytes.
 *
 * @since 0.1.0
 */
import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as Parts from "../internal/demoNwbBytes.js"
import { deterministicBytes } from "./DeterministicBytes.js"

/**
 * Where the seed puts it (000001's draft).
 *
 * @since 0.1.0
 * @category constants
 */
export const path = "sub-anm002/sub-anm002_ses-20240201_ecephys.nwb"

/**
 * The dataset a reader should find, and its shape.
 *
 * @since 0.1.0
 * @category constants
 */
export const dataset = { path: "/acquisition/ElectricalSeries/data", shape: [32768, 16], dtype: "<h" } as const

const decode = (text: string): Uint8Array => Either.getOrThrow(Encoding.decodeBase64(text))

/**
 * The file's bytes (`size` of them).
 *
 * @since 0.1.0
 * @category constructors
 */
export const bytes = (): Uint8Array => {
  const head = decode(Parts.prefix)
  const tail = decode(Parts.suffix)
  const out = new Uint8Array(head.length + Parts.dataLength + tail.length)
  out.set(head, 0)
  out.set(deterministicBytes(Parts.dataSeed, 0, Parts.dataLength), head.length)
  out.set(tail, head.length + Parts.dataLength)
  return out
}

/**
 * Its size in bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const size = Parts.size
