/**
 * The metadata JSON Schemas the emulator serves at `/api/schemas/`: compact but real JSON Schema
 * documents for the four dandischema models, with the fields the emulator validates.
 *
 * @since 0.1.0
 */

export const MODELS = ["Dandiset", "Asset", "PublishedDandiset", "PublishedAsset"] as const

export const ALLOWED_SCHEMA_VERSIONS = [
  "0.4.4", "0.5.1", "0.5.2", "0.6.0", "0.6.1", "0.6.2", "0.6.3", "0.6.4", "0.6.5", "0.6.6",
  "0.6.7", "0.6.8", "0.6.9", "0.6.10", "0.7.0"
]

const contributor = {
  type: "object",
  properties: {
    schemaKey: { enum: ["Person", "Organization"] },
    name: { type: "string" },
    email: { type: "string", format: "email" },
    roleName: { type: "array", items: { type: "string" } },
    includeInCitation: { type: "boolean" },
    affiliation: { type: "array" }
  },
  required: ["name"]
}

const dandiset = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Dandiset",
  type: "object",
  properties: {
    schemaKey: { const: "Dandiset" },
    schemaVersion: { type: "string", default: "0.7.0" },
    name: { type: "string", maxLength: 150, minLength: 1 },
    description: { type: "string", maxLength: 10000, minLength: 1 },
    license: { type: "array", minItems: 1, items: { enum: ["spdx:CC0-1.0", "spdx:CC-BY-4.0"] } },
    contributor: { type: "array", minItems: 1, items: contributor },
    keywords: { type: "array", items: { type: "string" } },
    identifier: { type: "string", pattern: "^[A-Z][-A-Z]*:\\d{6}$" },
    version: { type: "string" },
    access: { type: "array" },
    assetsSummary: { type: "object" },
    citation: { type: "string" },
    url: { type: "string", format: "uri" }
  },
  required: ["name", "description", "license", "contributor", "identifier"]
}

const asset = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Asset",
  type: "object",
  properties: {
    schemaKey: { const: "Asset" },
    schemaVersion: { type: "string", default: "0.7.0" },
    path: { type: "string" },
    encodingFormat: { type: "string" },
    contentSize: { type: "integer", minimum: 0 },
    digest: { type: "object", additionalProperties: { type: "string" } },
    wasAttributedTo: { type: "array" },
    wasGeneratedBy: { type: "array" },
    contentUrl: { type: "array", items: { type: "string", format: "uri" } }
  },
  required: ["path", "encodingFormat", "contentSize", "digest"]
}

const published = (base: Record<string, unknown>, title: string) => ({
  ...base,
  title,
  properties: {
    ...(base.properties as Record<string, unknown>),
    datePublished: { type: "string", format: "date-time" },
    publishedBy: { type: "object" }
  },
  required: [...(base.required as Array<string>), "datePublished", "publishedBy"]
})

export const schemaFor = (model: string): Record<string, unknown> | undefined => {
  switch (model) {
    case "Dandiset":
      return dandiset
    case "Asset":
      return asset
    case "PublishedDandiset":
      return published(dandiset, "PublishedDandiset")
    case "PublishedAsset":
      return published(asset, "PublishedAsset")
    default:
      return undefined
  }
}
