/**
 * The network half of dandi-cli's `get_instance` (spec client-behaviour.md §1.2); the pure half
 * (classifying a name or URL, building the instance from `/info/`) is DandiInstance.ts.
 *
 * - a known name, or a known API URL → GET `{api}/info/`;
 * - a known web URL, or any other URL cut to scheme://host[:port] → GET `{url}/server-info`,
 *   and on 404 GET `{url}/api/info/`;
 * - the API URL the server announces replaces the hard-coded one; an unknown instance is named
 *   after the announced API host;
 * - if the server cannot be asked (or answers nonsense), a known instance keeps its hard-coded
 *   record with a logged warning, and anything else fails with `UnknownInstanceError`.
 *
 * The server's `cli-minimal-version` / `cli-bad-versions` are dandi-cli's release gate and are
 * deliberately not applied to this SDK (see DandiConfig.ts).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ServerInfo } from "./ApiRecords.js"
import type { UnknownInstanceError } from "./DandiError.js"
import * as DandiInstance from "./DandiInstance.js"

/**
 * The fields of an instance; a `DandiInstance` is one, and so is a plain object literal.
 *
 * @since 0.1.0
 * @category models
 */
export interface InstanceRecord {
  readonly name: string
  readonly gui: string | null
  readonly api: string
}

/**
 * @since 0.1.0
 * @category utils
 */
export const toInstance = (record: InstanceRecord): DandiInstance.DandiInstance =>
  record instanceof DandiInstance.DandiInstance
    ? record
    : new DandiInstance.DandiInstance({ name: record.name, gui: record.gui, api: record.api })

const infoTimeout = Duration.seconds(20)

/** Some(info) on 2xx with a valid body, None on 404, failure on anything else. */
const fetchInfo = (client: HttpClient.HttpClient, url: string): Effect.Effect<Option.Option<ServerInfo>, "failed"> =>
  client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson)).pipe(
    Effect.flatMap((response) =>
      response.status === 404
        ? Effect.succeed(Option.none())
        : HttpClientResponse.filterStatusOk(response).pipe(
          Effect.flatMap(HttpClientResponse.schemaBodyJson(ServerInfo)),
          Effect.map(Option.some)
        )
    ),
    Effect.timeout(infoTimeout),
    Effect.mapError(() => "failed" as const)
  )

/**
 * Resolves and discovers. Requests go out without credentials (`/info/` is public, and no token
 * is known yet) and without trace headers.
 *
 * @since 0.1.0
 * @category utils
 */
export const resolve = (
  input: string | InstanceRecord,
  instanceHost?: string
): Effect.Effect<DandiInstance.DandiInstance, UnknownInstanceError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const resolution = yield* DandiInstance.resolveInstance(
      typeof input === "string" ? input : toInstance(input),
      instanceHost
    )
    yield* Effect.annotateCurrentSpan({ "dandi.instance.url": resolution.url })
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const [first, second] = DandiInstance.serverInfoUrls(resolution)
    const answer = yield* Effect.either(
      fetchInfo(client, first!).pipe(
        Effect.flatMap((info) =>
          Option.isNone(info) && second !== undefined ? fetchInfo(client, second) : Effect.succeed(info)
        )
      )
    )
    if (Either.isRight(answer) && Option.isSome(answer.right)) {
      return DandiInstance.instanceFromServerInfo(
        answer.right.value,
        resolution._tag === "Known" ? resolution.instance.name : undefined
      )
    }
    const fallback = DandiInstance.instanceWithoutServerInfo(resolution)
    if (Either.isRight(fallback)) {
      yield* Effect.logWarning(
        `Could not retrieve server info from ${resolution.url}; using the built-in record of '${fallback.right.name}'`
      )
    }
    return yield* fallback
  }).pipe(Effect.withSpan("InstanceDiscovery.resolve"))

/**
 * Resolution without the network: known names and URLs give their records; an unknown URL is
 * taken as the API URL as given, named after its host.
 *
 * @since 0.1.0
 * @category utils
 */
export const resolveOffline = (
  input: string | InstanceRecord,
  instanceHost?: string
): Effect.Effect<DandiInstance.DandiInstance, UnknownInstanceError> => {
  if (typeof input !== "string") return Effect.succeed(toInstance(input))
  return Effect.map(DandiInstance.resolveInstance(input, instanceHost), (resolution) =>
    resolution._tag === "Known"
      ? resolution.instance
      : new DandiInstance.DandiInstance({
        name: DandiInstance.instanceNameFromApiUrl(input),
        gui: null,
        api: input.replace(/\/+$/, "")
      }))
}
