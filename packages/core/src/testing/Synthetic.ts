/**
 * Synthetic asset records for scale tests: metadata-only assets in the API's own shape (as listed
 * with `metadata=1`), with NWB-like metadata, plausible digests and nested BIDS-style paths
 * (`sub-0001/sub-0001_ses-003_ecephys.nwb`). Records are generated lazily from a seed, so an
 * archive of 100k+ assets costs no more memory than the emulator's own storage of them.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { ArchiveAdmin } from "./EmulatorAdmin.js"

export interface SyntheticOptions {
  /** Number of assets. */
  readonly count: number
  readonly seed?: number | undefined
  /** Used in `contentUrl`; the emulator recomputes it anyway. */
  readonly apiUrl?: string | undefined
  readonly storageUrl?: string | undefined
}

const sessionsPerSubject = 12

const species = [
  { identifier: "http://purl.obolibrary.org/obo/NCBITaxon_10090", name: "Mus musculus - House mouse" },
  { identifier: "http://purl.obolibrary.org/obo/NCBITaxon_10116", name: "Rattus norvegicus - Norway rat" },
  { identifier: "http://purl.obolibrary.org/obo/NCBITaxon_9544", name: "Macaca mulatta - Rhesus monkey" }
] as const

const modalities = [
  { suffix: "ecephys", variables: ["ElectricalSeries", "Units"], technique: "spike sorting technique" },
  { suffix: "behavior+ecephys", variables: ["ElectricalSeries", "SpatialSeries"], technique: "behavioral technique" },
  { suffix: "ophys", variables: ["TwoPhotonSeries", "PlaneSegmentation"], technique: "two-photon microscopy technique" },
  { suffix: "icephys", variables: ["CurrentClampSeries"], technique: "patch clamp technique" }
] as const

const partSize = 64 * 1024 * 1024

/** A small PRNG with 32-bit output; assets are independent of each other's draws. */
const mix = (seed: number, index: number, salt: number): number => {
  let h = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index, 0x85ebca6b) + salt) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d) >>> 0
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

const hexCodes = Array.from("0123456789abcdef", (c) => c.charCodeAt(0))

// Char codes then one fromCharCode: string concatenation dominated generation time.
const hex = (seed: number, index: number, salt: number, length: number): string => {
  const codes = new Array<number>(length)
  let word = 0
  for (let i = 0; i < length; i++) {
    if ((i & 7) === 0) word = mix(seed, index, salt + (i >>> 3) * 7919)
    codes[i] = hexCodes[(word >>> ((i & 7) * 4)) & 15]!
  }
  return String.fromCharCode(...codes)
}

/** A lowercase version-4 UUID, as the archive's route patterns require. */
const uuid = (seed: number, index: number, salt: number): string => {
  const h = hex(seed, index, salt, 32)
  const variant = "89ab"[parseInt(h[16]!, 16) & 3]
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

const baseTime = Date.UTC(2023, 0, 15, 12, 0, 0)

/** The `index`-th synthetic asset record. */
export const record = (options: SyntheticOptions, index: number): Record<string, unknown> => {
  const seed = options.seed ?? 0
  const apiUrl = options.apiUrl ?? "https://api.dandiarchive.org/api"
  const storageUrl = options.storageUrl ?? "https://dandiarchive.s3.amazonaws.com"
  const subject = Math.floor(index / sessionsPerSubject) + 1
  const session = (index % sessionsPerSubject) + 1
  const modality = modalities[mix(seed, subject, 11) % modalities.length]!
  const animal = species[mix(seed, 0, 13) % species.length]!
  const subjectId = pad(subject, 4)
  const path = `sub-${subjectId}/sub-${subjectId}_ses-${pad(session, 3)}_${modality.suffix}.nwb`
  const size = 1024 + (mix(seed, index, 17) % (512 * 1024 * 1024))
  const parts = Math.max(1, Math.ceil(size / partSize))
  const assetId = uuid(seed, index, 1)
  const blobId = uuid(seed, index, 2)
  const created = new Date(baseTime + index * 1000).toISOString().replace(".000Z", ".000000Z")
  return {
    asset_id: assetId,
    blob: blobId,
    zarr: null,
    path,
    size,
    created,
    modified: created,
    metadata: {
      "@context": "https://raw.githubusercontent.com/dandi/schema/master/releases/0.7.0/context.json",
      schemaKey: "Asset",
      schemaVersion: "0.7.0",
      id: `dandiasset:${assetId}`,
      identifier: assetId,
      path,
      encodingFormat: "application/x-nwb",
      contentSize: size,
      contentUrl: [
        `${apiUrl}/assets/${assetId}/download/`,
        `${storageUrl}/blobs/${blobId.slice(0, 3)}/${blobId.slice(3, 6)}/${blobId}`
      ],
      digest: {
        "dandi:dandi-etag": `${hex(seed, index, 3, 32)}-${parts}`,
        "dandi:sha2-256": hex(seed, index, 4, 64)
      },
      access: [{ schemaKey: "AccessRequirements", status: "dandi:OpenAccess" }],
      wasAttributedTo: [{
        schemaKey: "Participant",
        identifier: subjectId,
        species: { schemaKey: "SpeciesType", ...animal },
        sex: { schemaKey: "SexType", identifier: "http://purl.obolibrary.org/obo/PATO_0000384", name: "Male" }
      }],
      wasGeneratedBy: [{
        schemaKey: "Session",
        identifier: `ses-${pad(session, 3)}`,
        name: `Session ${session} of subject ${subjectId}`
      }],
      variableMeasured: modality.variables.map((value) => ({ schemaKey: "PropertyValue", value })),
      measurementTechnique: [{ schemaKey: "MeasurementTechniqueType", name: modality.technique }]
    }
  }
}

/** Adds `count` synthetic assets to a dandiset's draft. */
export const addTo = (admin: ArchiveAdmin, identifier: string, options: SyntheticOptions): Effect.Effect<void> =>
  Effect.suspend(() => {
    let index = 0
    return Effect.whileLoop({
      while: () => index < options.count,
      body: () => admin.addRecordAsset(identifier, record(options, index)),
      step: () => {
        index++
      }
    })
  })
