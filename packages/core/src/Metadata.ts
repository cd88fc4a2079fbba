/**
 * Typed views of dandischema 0.7.0 metadata: `DandisetMetadata` (what
 * `GET /dandisets/{id}/versions/{v}/` returns) and `AssetMetadata` (`GET /assets/{id}/`).
 *
 * The archive treats metadata as an open JSON document and so do we: every struct here keeps the
 * keys it does not declare, so decode → edit → encode sends back everything the server gave,
 * including fields of newer schema versions. The commonly used fields are typed.
 *
 * Two ways to decode:
 * - strict (`decodeDandisetMetadata`, `decodeAssetMetadata`): fails with a ParseError listing
 *   every problem; every document of the current archive passes.
 * - lenient (`decodeDandisetMetadataLenient`, `decodeAssetMetadataLenient`): never fails. It
 *   returns the parts that fit, typed, plus a list of the issues, for documents of older schema
 *   versions or hand-written ones. The raw JSON object stays the source of truth for writes.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { Count, openStruct, Timestamp } from "./ApiRecords.js"
import { NotFoundError } from "./DandiError.js"

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/**
 * Keys of an asset's `digest` map (dandischema `DigestType` values).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DigestType = Schema.Literal(
  "dandi:md5",
  "dandi:sha1",
  "dandi:sha2-256",
  "dandi:sha3-256",
  "dandi:blake2b-256",
  "dandi:blake3",
  "dandi:dandi-etag",
  "dandi:dandi-zarr-checksum"
)
/**
 * @since 0.1.0
 * @category models
 */
export type DigestType = typeof DigestType.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const AccessType = Schema.Literal("dandi:OpenAccess", "dandi:EmbargoedAccess")
/**
 * @since 0.1.0
 * @category models
 */
export type AccessType = typeof AccessType.Type

/**
 * Contributor roles (dandischema `RoleType`, DataCite contributor types plus DANDI's own).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleName = Schema.Literal(
  "dcite:Author",
  "dcite:Conceptualization",
  "dcite:ContactPerson",
  "dcite:DataCollector",
  "dcite:DataCurator",
  "dcite:DataManager",
  "dcite:FormalAnalysis",
  "dcite:FundingAcquisition",
  "dcite:Investigation",
  "dcite:Maintainer",
  "dcite:Methodology",
  "dcite:Producer",
  "dcite:ProjectLeader",
  "dcite:ProjectManager",
  "dcite:ProjectMember",
  "dcite:ProjectAdministration",
  "dcite:Researcher",
  "dcite:Resources",
  "dcite:Software",
  "dcite:Supervision",
  "dcite:Validation",
  "dcite:Visualization",
  "dcite:Funder",
  "dcite:Sponsor",
  "dcite:StudyParticipant",
  "dcite:Affiliation",
  "dcite:EthicsApproval",
  "dcite:Other"
)
/**
 * @since 0.1.0
 * @category models
 */
export type RoleName = typeof RoleName.Type

/** Optional without admitting `undefined`, matching JSON (a key is present or absent). */
const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })
const optionalString = optional(Schema.String)

const stringList = Schema.Array(Schema.String)

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/**
 * The ontology-term shape shared by `SpeciesType`, `ApproachType`, `StandardsType`, `SexType`,
 * `Anatomy`, … : an optional `identifier` (usually a URI) and `name`. dandischema defaults
 * `schemaKey`, so it may be absent; when present it must be the expected one.
 *
 * @since 0.1.0
 */
const termOf = <Key extends string>(schemaKey: Key) =>
  openStruct({
    schemaKey: optional(Schema.Literal(schemaKey)),
    identifier: optionalString,
    name: optionalString
  })

/**
 * @since 0.1.0
 *
 * @category constants
 */
export const SpeciesType = termOf("SpeciesType")
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const ApproachType = termOf("ApproachType")
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const MeasurementTechniqueType = termOf("MeasurementTechniqueType")
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const StandardsType = termOf("StandardsType")
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const SexType = termOf("SexType")
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const SampleType = termOf("SampleType")
/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const GenotypeInfo = openStruct({
  schemaKey: optional(Schema.Literal("GenotypeInfo")),
  locus: optional(Schema.Unknown),
  alleles: optional(stringList),
  wasGeneratedBy: optional(Schema.Array(Schema.Unknown))
})

/**
 * A term whose kind is told by its `schemaKey` (`about` mixes `Anatomy`, `Disorder`,
 * `GenericType`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Term = openStruct({
  schemaKey: optionalString,
  identifier: optionalString,
  name: optionalString
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const PropertyValue = openStruct({
  schemaKey: optional(Schema.Literal("PropertyValue")),
  value: optional(Schema.Unknown),
  unitText: optionalString,
  valueReference: optional(Schema.Unknown),
  maxValue: optional(Schema.Number),
  minValue: optional(Schema.Number),
  propertyID: optional(Schema.Unknown)
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const ContactPoint = openStruct({
  schemaKey: optional(Schema.Literal("ContactPoint")),
  email: optionalString,
  url: optionalString
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Affiliation = openStruct({
  schemaKey: optional(Schema.Literal("Affiliation")),
  identifier: optionalString,
  name: Schema.String
})

const contributorFields = {
  identifier: optionalString,
  name: Schema.String,
  email: optionalString,
  url: optionalString,
  roleName: optional(Schema.Array(RoleName)),
  includeInCitation: optional(Schema.Boolean),
  awardNumber: optionalString
}

/**
 * A person contributor. `identifier` is an ORCID (`0000-0002-…`), `name` is `Last, First`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Person = openStruct({
  schemaKey: Schema.Literal("Person"),
  ...contributorFields,
  affiliation: optional(Schema.Array(Affiliation))
})
/**
 * @since 0.1.0
 * @category models
 */
export interface Person extends Schema.Schema.Type<typeof Person> {}

/**
 * An organisation contributor (funders, sponsors, labs). `identifier` is usually a ROR URL.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Organization = openStruct({
  schemaKey: Schema.Literal("Organization"),
  ...contributorFields,
  contactPoint: optional(Schema.Array(ContactPoint))
})
/**
 * @since 0.1.0
 * @category models
 */
export interface Organization extends Schema.Schema.Type<typeof Organization> {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Contributor = Schema.Union(Person, Organization)
/**
 * @since 0.1.0
 * @category models
 */
export type Contributor = typeof Contributor.Type

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Software = openStruct({
  schemaKey: Schema.Literal("Software"),
  id: optionalString,
  identifier: optionalString,
  name: Schema.String,
  version: Schema.String,
  url: optionalString
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Agent = openStruct({
  schemaKey: Schema.Literal("Agent"),
  identifier: optionalString,
  name: Schema.String,
  url: optionalString
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Equipment = openStruct({
  schemaKey: optional(Schema.Literal("Equipment")),
  identifier: optionalString,
  name: Schema.String,
  description: optionalString
})

/**
 * What generated a document or data: an `Activity`, a recording `Session`, a `Project`, or the
 * archive's `PublishActivity`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Activity = openStruct({
  schemaKey: optional(Schema.Literal("Activity", "Session", "Project", "PublishActivity")),
  id: optionalString,
  identifier: optionalString,
  name: Schema.String,
  description: optionalString,
  startDate: optional(Timestamp),
  endDate: optional(Timestamp),
  wasAssociatedWith: optional(Schema.Array(Schema.Union(Software, Person, Organization, Agent))),
  used: optional(Schema.Array(Equipment))
})
/**
 * @since 0.1.0
 * @category models
 */
export interface Activity extends Schema.Schema.Type<typeof Activity> {}

/**
 * Who may access the data. `embargoedUntil` is a `YYYY-MM-DD` date.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessRequirements = openStruct({
  schemaKey: optional(Schema.Literal("AccessRequirements")),
  status: AccessType,
  contactPoint: optional(ContactPoint),
  description: optionalString,
  embargoedUntil: optionalString
})
/**
 * @since 0.1.0
 * @category models
 */
export interface AccessRequirements extends Schema.Schema.Type<typeof AccessRequirements> {}

/**
 * Aggregate facts about a version's assets, computed by the archive.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssetsSummary = openStruct({
  schemaKey: optional(Schema.Literal("AssetsSummary")),
  numberOfBytes: Count,
  numberOfFiles: Count,
  numberOfSubjects: optional(Count),
  numberOfSamples: optional(Count),
  numberOfCells: optional(Count),
  dataStandard: optional(Schema.Array(StandardsType)),
  approach: optional(Schema.Array(ApproachType)),
  measurementTechnique: optional(Schema.Array(MeasurementTechniqueType)),
  variableMeasured: optional(stringList),
  species: optional(Schema.Array(SpeciesType))
})
/**
 * @since 0.1.0
 * @category models
 */
export interface AssetsSummary extends Schema.Schema.Type<typeof AssetsSummary> {}

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const Resource = openStruct({
  schemaKey: optional(Schema.Literal("Resource")),
  identifier: optionalString,
  name: optionalString,
  url: optionalString,
  repository: optionalString,
  relation: Schema.String,
  resourceType: optionalString
})

/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const EthicsApproval = openStruct({
  schemaKey: optional(Schema.Literal("EthicsApproval")),
  identifier: Schema.String,
  contactPoint: optional(ContactPoint)
})

/**
 * A subject (`wasAttributedTo` of an asset).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Participant = openStruct({
  schemaKey: optional(Schema.Literal("Participant")),
  identifier: Schema.String,
  altName: optional(stringList),
  strain: optional(Term),
  cellLine: optionalString,
  vendor: optional(Schema.Unknown),
  age: optional(PropertyValue),
  sex: optional(SexType),
  genotype: optional(Schema.Union(Schema.String, GenotypeInfo)),
  species: optional(SpeciesType),
  disorder: optional(Schema.Array(Term)),
  relatedParticipant: optional(Schema.Array(Schema.Unknown)),
  sameAs: optional(stringList)
})
/**
 * @since 0.1.0
 * @category models
 */
export interface Participant extends Schema.Schema.Type<typeof Participant> {}

/**
 * A sample (`wasDerivedFrom` of an asset): tissue, slice, cell, … derived from other samples.
 *
 * @since 0.1.0
 * @category models
 */
export interface BioSample {
  readonly schemaKey?: "BioSample"
  readonly identifier: string
  readonly sampleType?: typeof SampleType.Type
  readonly assayType?: ReadonlyArray<typeof Term.Type>
  readonly anatomy?: ReadonlyArray<typeof Term.Type>
  readonly wasDerivedFrom?: ReadonlyArray<BioSample>
  readonly wasAttributedTo?: ReadonlyArray<Participant>
}
/**
 * @since 0.1.0
 *
 * @category schemas
 */
export const BioSample: Schema.Schema<BioSample> = openStruct({
  schemaKey: optional(Schema.Literal("BioSample")),
  identifier: Schema.String,
  sampleType: optional(SampleType),
  assayType: optional(Schema.Array(Term)),
  anatomy: optional(Schema.Array(Term)),
  wasDerivedFrom: optional(Schema.Array(Schema.suspend((): Schema.Schema<BioSample> => BioSample))),
  wasAttributedTo: optional(Schema.Array(Participant))
})

const hexDigest = (length: number) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^[0-9a-f]{${length}}$`), { message: () => `${length} lower-case hex digits` }))

/** dandischema's formats: `<md5>-<parts>` for the etag, `<md5>-<files>--<bytes>` for a zarr. */
const DandiEtag = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{32}-\d{1,5}$/, { message: () => "a dandi-etag: 32 hex digits, '-', the number of parts" })
)
const ZarrChecksum = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{32}-\d+--\d+$/, { message: () => "a zarr checksum: 32 hex digits, '-<files>--<bytes>'" })
)

/**
 * An asset's digests keyed by `DigestType`. A zarr's checksum is null until the archive has
 * ingested it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Digest = openStruct({
  "dandi:md5": optional(hexDigest(32)),
  "dandi:sha1": optional(hexDigest(40)),
  "dandi:sha2-256": optional(hexDigest(64)),
  "dandi:sha3-256": optional(hexDigest(64)),
  "dandi:blake2b-256": optional(hexDigest(64)),
  "dandi:blake3": optional(hexDigest(64)),
  "dandi:dandi-etag": optional(DandiEtag),
  "dandi:dandi-zarr-checksum": optional(Schema.NullOr(ZarrChecksum))
})
/**
 * @since 0.1.0
 * @category models
 */
export interface Digest extends Schema.Schema.Type<typeof Digest> {}

// ---------------------------------------------------------------------------------------------
// The two documents
// ---------------------------------------------------------------------------------------------

/**
 * Dandiset metadata (dandischema `Dandiset`; published versions add `datePublished`,
 * `publishedBy`, `doi`, `releaseNotes`). Undeclared keys are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DandisetMetadata = openStruct({
  "@context": optionalString,
  schemaKey: optional(Schema.Literal("Dandiset")),
  schemaVersion: optionalString,
  id: Schema.String,
  identifier: Schema.String,
  name: Schema.String,
  description: Schema.String,
  contributor: Schema.Array(Contributor),
  about: optional(Schema.Array(Term)),
  license: stringList,
  access: optional(Schema.Array(AccessRequirements)),
  url: optionalString,
  repository: optionalString,
  relatedResource: optional(Schema.Array(Resource)),
  keywords: optional(stringList),
  protocol: optional(stringList),
  acknowledgement: optionalString,
  studyTarget: optional(stringList),
  ethicsApproval: optional(Schema.Array(EthicsApproval)),
  wasGeneratedBy: optional(Schema.Array(Activity)),
  dateCreated: optional(Timestamp),
  dateModified: optional(Timestamp),
  citation: Schema.String,
  assetsSummary: AssetsSummary,
  manifestLocation: stringList,
  version: Schema.String,
  datePublished: optional(Timestamp),
  publishedBy: optional(Activity),
  doi: optionalString,
  releaseNotes: optionalString
})
/**
 * @since 0.1.0
 * @category models
 */
export interface DandisetMetadata extends Schema.Schema.Type<typeof DandisetMetadata> {}

/**
 * Asset metadata (dandischema `Asset`; published assets add `datePublished`, `publishedBy`).
 * Undeclared keys are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssetMetadata = openStruct({
  "@context": optionalString,
  schemaKey: optional(Schema.Literal("Asset")),
  schemaVersion: optionalString,
  id: optionalString,
  identifier: optionalString,
  path: Schema.String,
  contentSize: Count,
  encodingFormat: Schema.String,
  digest: Digest,
  contentUrl: optional(stringList),
  access: optional(Schema.Array(AccessRequirements)),
  repository: optionalString,
  keywords: optional(stringList),
  dateModified: optional(Timestamp),
  blobDateModified: optional(Timestamp),
  approach: optional(Schema.Array(ApproachType)),
  measurementTechnique: optional(Schema.Array(MeasurementTechniqueType)),
  dataStandard: optional(Schema.Array(StandardsType)),
  variableMeasured: optional(Schema.Array(PropertyValue)),
  wasAttributedTo: optional(Schema.Array(Participant)),
  wasDerivedFrom: optional(Schema.Array(BioSample)),
  wasGeneratedBy: optional(Schema.Array(Activity)),
  datePublished: optional(Timestamp),
  publishedBy: optional(Activity)
})
/**
 * @since 0.1.0
 * @category models
 */
export interface AssetMetadata extends Schema.Schema.Type<typeof AssetMetadata> {}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/**
 * One thing in a document that does not fit the typed model: where, and what was expected.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetadataIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The outcome of a lenient decode. `value` holds every top-level field that fits (list fields
 * keep the elements that fit); `issues` lists what did not, with paths into `raw`. Empty `issues`
 * means the document decoded strictly.
 *
 * @since 0.1.0
 * @category models
 */
export interface LenientResult<A> {
  readonly value: Partial<A>
  readonly issues: ReadonlyArray<MetadataIssue>
  readonly raw: unknown
}

/**
 * Issues as text, one `a.b.0.c: message` line each (`(document)` for the document itself).
 *
 * @since 0.1.0
 * @category utils
 */
export const formatIssues = (issues: ReadonlyArray<MetadataIssue>): string =>
  issues.map((issue) => `${issue.path.length === 0 ? "(document)" : issue.path.map(String).join(".")}: ${issue.message}`).join("\n")

const allErrors = { errors: "all", onExcessProperty: "ignore" } as const

const toIssues = (error: ParseResult.ParseError): ReadonlyArray<MetadataIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map(({ message, path }) => ({ path, message }))

/**
 * Removes what the issues point at: the offending elements of a top-level list, else the whole
 * top-level field. When a list has both kinds of issue, dropping the bad elements wins, so one
 * odd contributor does not cost the whole list. Returns whether anything was removed.
 */
const prune = (working: Record<string, unknown>, issues: ReadonlyArray<MetadataIssue>): boolean => {
  const badElements = new Map<string, Set<number>>()
  const badFields = new Set<string>()
  for (const { path: [key, index] } of issues) {
    if (typeof key !== "string" || !(key in working)) continue
    if (typeof index === "number" && Array.isArray(working[key])) {
      badElements.set(key, (badElements.get(key) ?? new Set<number>()).add(index))
    } else {
      badFields.add(key)
    }
  }
  for (const [key, indices] of badElements) {
    working[key] = (working[key] as ReadonlyArray<unknown>).filter((_, at) => !indices.has(at))
    badFields.delete(key)
  }
  for (const key of badFields) delete working[key]
  return badElements.size + badFields.size > 0
}

const lenientDecoder = <A>(strict: Schema.Schema<A>) => {
  const loose: Schema.Schema<Partial<A>> = Schema.partialWith(strict, { exact: true })
  const decodeStrict = Schema.decodeUnknownEither(strict, allErrors)
  const decodeLoose = Schema.decodeUnknownEither(loose, allErrors)
  return (raw: unknown): LenientResult<A> => {
    const first = decodeStrict(raw)
    if (Either.isRight(first)) return { value: first.right, issues: [], raw }
    const issues = toIssues(first.left)
    if (!Predicate.isRecord(raw)) {
      return { value: {}, issues: [{ path: [], message: "Expected a JSON object of metadata" }], raw }
    }
    let working: Record<string, unknown> = { ...raw }
    // Each round removes at least one field or element, so this ends within the document's size.
    for (;;) {
      const attempt = decodeLoose(working)
      if (Either.isRight(attempt)) return { value: attempt.right, issues, raw }
      const next = { ...working }
      if (!prune(next, toIssues(attempt.left))) return { value: {}, issues, raw }
      working = next
    }
  }
}

/**
 * Strict decode of dandiset metadata; the ParseError lists every problem.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDandisetMetadata = Schema.decodeUnknown(DandisetMetadata, allErrors)

/**
 * @since 0.1.0
 *
 * @category decoding
 */
export const decodeDandisetMetadataEither = Schema.decodeUnknownEither(DandisetMetadata, allErrors)

/**
 * Lenient decode of dandiset metadata: never fails; see `LenientResult`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDandisetMetadataLenient: (raw: unknown) => LenientResult<DandisetMetadata> = lenientDecoder(
  DandisetMetadata
)

/**
 * Strict decode of asset metadata; the ParseError lists every problem.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeAssetMetadata = Schema.decodeUnknown(AssetMetadata, allErrors)

/**
 * @since 0.1.0
 *
 * @category decoding
 */
export const decodeAssetMetadataEither = Schema.decodeUnknownEither(AssetMetadata, allErrors)

/**
 * Lenient decode of asset metadata: never fails; see `LenientResult`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeAssetMetadataLenient: (raw: unknown) => LenientResult<AssetMetadata> = lenientDecoder(AssetMetadata)

/**
 * Back to JSON, with every undeclared key the document came with.
 *
 * @since 0.1.0
 * @category decoding
 */
export const encodeDandisetMetadata = Schema.encodeSync(DandisetMetadata)

/**
 * @since 0.1.0
 *
 * @category decoding
 */
export const encodeAssetMetadata = Schema.encodeSync(AssetMetadata)

/**
 * The contact person as the archive computes it: the first contributor whose roles include
 * `dcite:ContactPerson`.
 *
 * @since 0.1.0
 * @category utils
 */
export const contactPerson = (metadata: Pick<DandisetMetadata, "contributor">): Contributor | undefined =>
  metadata.contributor.find((contributor) => contributor.roleName?.includes("dcite:ContactPerson") ?? false)

// ---------------------------------------------------------------------------------------------
// Raw-metadata readers (dandi-cli reads these keys from the opaque document)
// ---------------------------------------------------------------------------------------------

/**
 * `metadata.digest[type]` of raw asset metadata (`get_raw_digest`). Blobs are read with
 * `dandi:dandi-etag`, zarrs with `dandi:dandi-zarr-checksum`.
 *
 * @since 0.1.0
 * @category utils
 */
export const rawDigest = (
  metadata: unknown,
  type: DigestType | (string & {})
): Either.Either<string, NotFoundError> => {
  const digests = Predicate.isRecord(metadata) ? metadata["digest"] : undefined
  const value = Predicate.isRecord(digests) ? digests[type] : undefined
  return typeof value === "string"
    ? Either.right(value)
    : Either.left(new NotFoundError({ message: `No ${type} digest found in metadata`, resource: "digest", id: type }))
}

/**
 * The first `contentUrl` of raw asset metadata that `pattern` matches anywhere
 * (`get_content_url`'s selection step; following redirects is the caller's). The stateful flags
 * `g` and `y` are ignored: each URL is searched from its start, as Python's `re.search` does.
 *
 * @since 0.1.0
 * @category utils
 */
export const contentUrlMatching = (metadata: unknown, pattern: RegExp = /.*/): Either.Either<string, NotFoundError> => {
  const urls = Predicate.isRecord(metadata) && Array.isArray(metadata["contentUrl"]) ? metadata["contentUrl"] : []
  const search = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))
  const found = urls.find((url): url is string => typeof url === "string" && search.test(url))
  return found !== undefined
    ? Either.right(found)
    : Either.left(
      new NotFoundError({
        message: "No matching URL found in asset's contentUrl metadata field",
        resource: "contentUrl",
        id: pattern.source
      })
    )
}
