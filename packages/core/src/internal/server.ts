/**
 * The instance itself: `/info/` and the schema-version check, the caller, statistics, metadata
 * schemas, and where a URL's redirects lead.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { JsonObject, ServerInfo, StatsRecord, UserRecord } from "../ApiRecords.js"
import * as SchemaVersion from "../SchemaVersion.js"
import * as WebUrl from "../WebUrl.js"
import type { ClientOperations } from "./dandiApiService.js"
import type { RecordBackend } from "./recordBackend.js"
import type { Resources } from "./resources.js"

export type ServerOperations =
  & Pick<
    ClientOperations,
    "info" | "checkSchemaVersion" | "me" | "stats" | "getMetadataSchemaModels" | "getMetadataSchema"
  >
  & Pick<RecordBackend, "resolveRedirects">

const maxRedirectHops = 20

export const make = ({ client }: Resources): ServerOperations => {
  const info = client.json(ServerInfo, "GET", "/info/").pipe(Effect.withSpan("DandiApi.info"))
  return {
    info,
    checkSchemaVersion: Effect.fn("DandiApi.checkSchemaVersion")(function*(schemaVersion?: string) {
      const server = yield* info
      return yield* SchemaVersion.checkSchemaVersion(
        server.schema_version,
        schemaVersion ?? SchemaVersion.DANDI_SCHEMA_VERSION,
        server.allowed_schema_versions ?? SchemaVersion.ALLOWED_INPUT_SCHEMAS
      )
    }),
    me: client.json(UserRecord, "GET", "/users/me/").pipe(Effect.withSpan("DandiApi.me")),
    stats: client.json(StatsRecord, "GET", "/stats/").pipe(Effect.withSpan("DandiApi.stats")),
    getMetadataSchemaModels: client.json(Schema.Array(Schema.String), "GET", "/schemas/available/").pipe(
      Effect.withSpan("DandiApi.getMetadataSchemaModels")
    ),
    getMetadataSchema: Effect.fn("DandiApi.getMetadataSchema")(function*(model: string) {
      return yield* client.json(JsonObject, "GET", "/schemas/", { params: { model } })
    }),
    resolveRedirects: Effect.fn("DandiApi.resolveRedirects")(function*(url: string, follow: true | number) {
      const hops = follow === true ? maxRedirectHops : Math.max(0, Math.floor(follow))
      let current = url
      for (let hop = 0; hop < hops; hop++) {
        // Statuses ≥ 400 end the walk: like dandi-cli, the URL that failed is the answer.
        const response = yield* client.send("HEAD", current, {
          redirect: "manual",
          allowStatuses: Array.from({ length: 200 }, (_, i) => 400 + i)
        })
        const location = response.headers["location"]
        if (response.status < 300 || response.status >= 400 || location === undefined) break
        // A relative Location is resolved (dandi-cli uses it verbatim, which breaks the next hop).
        current = WebUrl.parse(location, current)?.href ?? location
      }
      return current
    })
  }
}
