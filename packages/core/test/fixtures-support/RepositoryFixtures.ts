/**
 * Reads the fixture files committed at the repository root (`fixtures/`): real archive records and
 * dandischema's older metadata documents, with their provenance in each folder's README.
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

const fixturesRoot = new URL("../../../../fixtures/", import.meta.url)

export const fixtureText = (relativePath: string): string =>
  readFileSync(fileURLToPath(new URL(relativePath, fixturesRoot)), "utf8")

export const fixtureJson = (relativePath: string): unknown => JSON.parse(fixtureText(relativePath))

export const fixtureYaml = (relativePath: string): unknown => parse(fixtureText(relativePath))

/** The 54 real asset records of dandiset 001773, with metadata. */
export const realAssetRecords = (): ReadonlyArray<Record<string, unknown>> =>
  fixtureJson("real/assets-001773.json") as ReadonlyArray<Record<string, unknown>>

/** The published metadata of dandiset 001773. */
export const realDandisetMetadata = (): Record<string, unknown> =>
  fixtureYaml("real/dandiset-001773.yaml") as Record<string, unknown>

/** Every older-schema metadata document, by file name. */
export const olderMetadataDocuments = (): ReadonlyArray<readonly [string, Record<string, unknown>]> =>
  readdirSync(fileURLToPath(new URL("metadata/", fixturesRoot)))
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, fixtureJson(`metadata/${name}`) as Record<string, unknown>] as const)
