/**
 * DANDI instances: the archives dandi-cli knows by name, and the pure half of `get_instance`
 * (deciding what an instance name or URL refers to and which server-info URL to fetch, then
 * building the instance from the decoded answer). Fetching belongs to `DandiConfig`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { ServerInfo } from "./ApiRecords.js"
import { UnknownInstanceError } from "./DandiError.js"

/**
 * An archive: its name, its web app (null when it has none) and its API base URL (no trailing
 * slash).
 *
 * @since 0.1.0
 * @category schemas
 */
export class DandiInstance extends Schema.Class<DandiInstance>("@dandi-effect/core/DandiInstance")({
  name: Schema.String,
  gui: Schema.NullOr(Schema.String),
  api: Schema.String
}) {
  /** The gui URL (if any), then the api URL. */
  urls(): ReadonlyArray<string> {
    return this.gui === null ? [this.api] : [this.gui, this.api]
  }
  /** `{NAME}_API_KEY`, the environment variable holding this instance's token. */
  get apiKeyEnvVar(): string {
    return apiKeyEnvVar(this.name)
  }
}

/**
 * The host of the `dandi-api-local-docker-tests` URLs when none is given (dandi-cli reads it from
 * `DANDI_INSTANCEHOST`; core never reads the environment, so platforms pass it in).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_INSTANCE_HOST = "localhost"

/**
 * The instances dandi-cli knows, in its order.
 *
 * @since 0.1.0
 * @category utils
 */
export const knownInstances = (instanceHost: string = DEFAULT_INSTANCE_HOST): ReadonlyArray<DandiInstance> => [
  new DandiInstance({ name: "dandi", gui: "https://dandiarchive.org", api: "https://api.dandiarchive.org/api" }),
  new DandiInstance({
    name: "dandi-sandbox",
    gui: "https://sandbox.dandiarchive.org",
    api: "https://api.sandbox.dandiarchive.org/api"
  }),
  new DandiInstance({
    name: "dandi-api-local-docker-tests",
    gui: `http://${instanceHost}:8085`,
    api: `http://${instanceHost}:8000/api`
  }),
  new DandiInstance({ name: "linc", gui: "https://lincbrain.org", api: "https://api.lincbrain.org/api" }),
  new DandiInstance({
    name: "linc-staging",
    gui: "https://staging.lincbrain.org",
    api: "https://staging-api.lincbrain.org/api"
  }),
  new DandiInstance({
    name: "ember-dandi",
    gui: "https://dandi.emberarchive.org",
    api: "https://api-dandi.emberarchive.org/api"
  }),
  new DandiInstance({
    name: "ember-dandi-sandbox",
    gui: "https://dandi.sandbox.emberarchive.org",
    api: "https://api-dandi.sandbox.emberarchive.org/api"
  })
]

/**
 * The names of the known instances, in order.
 *
 * @since 0.1.0
 * @category constants
 */
export const KNOWN_INSTANCE_NAMES: ReadonlyArray<string> = knownInstances().map((instance) => instance.name)

/**
 * `{NAME}_API_KEY`: the name upper-cased with `-` replaced by `_`; dots stay
 * (`api.example.test` → `API.EXAMPLE.TEST_API_KEY`).
 *
 * @since 0.1.0
 * @category utils
 */
export const apiKeyEnvVar = (instanceName: string): string => `${instanceName.toUpperCase().replaceAll("-", "_")}_API_KEY`

/**
 * The public archive's variable, which also holds the key of an instance given as a URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_API_KEY_VARIABLE = "DANDI_API_KEY"

/** A name a POSIX shell (and Windows) accepts for an environment variable. */
const settableVariable = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The one environment variable that holds the API key of the instance a user chose, and that
 * messages name:
 * - an instance chosen by its name (`dandi`, `linc`, a record named `my-lab`): its own
 *   `{NAME}_API_KEY`, so that one archive's key never goes to another;
 * - an instance chosen by a URL that no known instance has, or named after a host
 *   (`127.0.0.1:8000`), whose `{NAME}_API_KEY` no shell can set: `DANDI_API_KEY`.
 *
 * @since 0.1.0
 * @category utils
 */
export const apiKeyVariable = (instanceName: string, chosenAs: "name" | "url"): string => {
  if (chosenAs === "url") return DEFAULT_API_KEY_VARIABLE
  const own = apiKeyEnvVar(instanceName)
  return settableVariable.test(own) ? own : DEFAULT_API_KEY_VARIABLE
}

const stripTrailingSlashes = (url: string): string => url.replace(/\/+$/, "")

/**
 * A known instance by name.
 *
 * @since 0.1.0
 * @category utils
 */
export const knownInstance = (
  name: string,
  instanceHost: string = DEFAULT_INSTANCE_HOST
): Either.Either<DandiInstance, UnknownInstanceError> => {
  const found = knownInstances(instanceHost).find((instance) => instance.name === name)
  if (found !== undefined) return Either.right(found)
  if (name === "dandi-staging") {
    return Either.left(
      new UnknownInstanceError({
        message:
          "'dandi-staging' DANDI instance identifier was removed. The instance was renamed into 'dandi-sandbox', please use that identifier instead.",
        instance: name
      })
    )
  }
  return Either.left(
    new UnknownInstanceError({
      message: `Unknown DANDI instance '${name}'. Valid instances: ${
        KNOWN_INSTANCE_NAMES.join(", ")
      }; or give the server's API URL (e.g. http://127.0.0.1:8000/api).`,
      instance: name
    })
  )
}

/**
 * The known instance whose gui or api URL is exactly `url` (trailing slashes ignored).
 *
 * @since 0.1.0
 * @category utils
 */
export const instanceFromUrl = (url: string, instanceHost: string = DEFAULT_INSTANCE_HOST): DandiInstance | undefined => {
  const wanted = stripTrailingSlashes(url)
  return knownInstances(instanceHost).find((instance) => instance.gui === wanted || instance.api === wanted)
}

// ---------------------------------------------------------------------------------------------
// URL pieces (core has no `URL` global type: it must not depend on DOM or Node typings)
// ---------------------------------------------------------------------------------------------

/**
 * The scheme, host and explicit port of an absolute http(s) URL. `host` is lower-cased and keeps
 * IPv6 brackets; `port` is undefined unless written in the URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface UrlOrigin {
  readonly scheme: string
  readonly host: string
  readonly port: number | undefined
}

const originPattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::(\d*))?(?=[/?#]|$)/

/**
 * @since 0.1.0
 *
 * @category utils
 */
export const parseOrigin = (url: string): UrlOrigin | undefined => {
  const match = originPattern.exec(url)
  if (match === null) return undefined
  const [, scheme = "", host = "", port] = match
  return { scheme: scheme.toLowerCase(), host: host.toLowerCase(), port: port === undefined || port === "" ? undefined : Number(port) }
}

/** `scheme://host[:port]` of a URL; path, query and fragment dropped. */
const originOf = (url: string): string => {
  const origin = parseOrigin(url)
  if (origin === undefined) return url
  return `${origin.scheme}://${origin.host}${origin.port === undefined ? "" : `:${origin.port}`}`
}

// ---------------------------------------------------------------------------------------------
// get_instance, pure half
// ---------------------------------------------------------------------------------------------

/**
 * What an instance name or URL refers to, and where its server info lives:
 * - `Known`: a known instance (by name, by one of its URLs, or given as a DandiInstance);
 * - `Unknown`: a URL of a server we do not know; only its origin is kept.
 * `url` is what to fetch from and `isApi` says which kind of URL it is (see `serverInfoUrls`).
 *
 * @since 0.1.0
 * @category models
 */
export type InstanceResolution =
  | { readonly _tag: "Known"; readonly instance: DandiInstance; readonly url: string; readonly isApi: boolean }
  | { readonly _tag: "Unknown"; readonly url: string; readonly isApi: false }

/**
 * Classifies the input of `get_instance` (spec §1.2 steps 1–3). Fails only for a name that is not
 * known.
 *
 * @since 0.1.0
 * @category utils
 */
export const resolveInstance = (
  input: string | DandiInstance,
  instanceHost: string = DEFAULT_INSTANCE_HOST
): Either.Either<InstanceResolution, UnknownInstanceError> => {
  if (typeof input !== "string") {
    return Either.right({ _tag: "Known", instance: input, url: stripTrailingSlashes(input.api), isApi: true })
  }
  const lowered = input.toLowerCase()
  if (lowered.startsWith("http://") || lowered.startsWith("https://")) {
    const url = stripTrailingSlashes(input)
    const known = instanceFromUrl(url, instanceHost)
    if (known !== undefined) {
      const isApi = url === stripTrailingSlashes(known.api)
      return Either.right({ _tag: "Known", instance: known, url, isApi })
    }
    return Either.right({ _tag: "Unknown", url: originOf(url), isApi: false })
  }
  return Either.map(knownInstance(input, instanceHost), (instance) => ({
    _tag: "Known" as const,
    instance,
    url: stripTrailingSlashes(instance.api),
    isApi: true
  }))
}

/**
 * The server-info URLs to try, in order: an API URL has `{url}/info/`; a web URL has
 * `{url}/server-info`, and `{url}/api/info/` only if that answered 404.
 *
 * @since 0.1.0
 * @category utils
 */
export const serverInfoUrls = (resolution: InstanceResolution): ReadonlyArray<string> =>
  resolution.isApi ? [`${resolution.url}/info/`] : [`${resolution.url}/server-info`, `${resolution.url}/api/info/`]

/**
 * The name of an instance known only by its API URL: the host, `[host]` for IPv6, plus `:port`
 * when the port is written out; the whole URL if it has no host.
 *
 * @since 0.1.0
 * @category utils
 */
export const instanceNameFromApiUrl = (apiUrl: string): string => {
  const origin = parseOrigin(apiUrl)
  if (origin === undefined || origin.host === "" || origin.host === "[]") return apiUrl
  const bare = origin.host.startsWith("[") ? origin.host.slice(1, -1) : origin.host
  const host = bare.includes(":") ? `[${bare}]` : bare
  return origin.port === undefined ? host : `${host}:${origin.port}`
}

/**
 * The instance a server describes (spec §1.2 step 6): its own api and web URLs replace any
 * hard-coded ones; the name is the known one if there was one, else derived from the api URL.
 *
 * @since 0.1.0
 * @category utils
 */
export const instanceFromServerInfo = (info: ServerInfo, knownName?: string): DandiInstance =>
  new DandiInstance({
    name: knownName ?? instanceNameFromApiUrl(info.services.api.url),
    gui: info.services.webui?.url ?? null,
    api: info.services.api.url
  })

/**
 * What `get_instance` does when the server info cannot be had: a known instance falls back to its
 * hard-coded record; an unknown URL is an error.
 *
 * @since 0.1.0
 * @category utils
 */
export const instanceWithoutServerInfo = (
  resolution: InstanceResolution
): Either.Either<DandiInstance, UnknownInstanceError> =>
  resolution._tag === "Known"
    ? Either.right(resolution.instance)
    : Either.left(
      new UnknownInstanceError({
        message: `Could not retrieve server info from ${resolution.url}, and client does not recognize URL. Check the URL, or that the server is up.`,
        instance: resolution.url
      })
    )

// ---------------------------------------------------------------------------------------------
// Client version gate (get_instance step 5)
// ---------------------------------------------------------------------------------------------

interface SemVer {
  readonly core: readonly [number, number, number]
  readonly prerelease: ReadonlyArray<string>
}

const semverPattern = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

const parseSemVer = (text: string): SemVer | undefined => {
  const match = semverPattern.exec(text)
  if (match === null) return undefined
  const [, major, minor, patch, prerelease] = match
  return {
    core: [Number(major), Number(minor), Number(patch)],
    prerelease: prerelease === undefined ? [] : prerelease.split(".")
  }
}

const compareIdentifiers = (a: string, b: string): number => {
  const aNumeric = /^\d+$/.test(a)
  const bNumeric = /^\d+$/.test(b)
  if (aNumeric && bNumeric) return Number(a) - Number(b)
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** SemVer 2 precedence: build metadata ignored, a pre-release sorts before its release. */
const compareSemVer = (a: SemVer, b: SemVer): number => {
  for (let i = 0; i < 3; i++) {
    const difference = a.core[i]! - b.core[i]!
    if (difference !== 0) return difference
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const difference = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!)
    if (difference !== 0) return difference
  }
  return a.prerelease.length - b.prerelease.length
}

/**
 * Why a server refuses this client, or undefined when it accepts it: the `cli-minimal-version`
 * and `cli-bad-versions` gate of `get_instance`, with dandi-cli's messages. `clientVersion` is
 * the dandi-cli version this client claims to be compatible with.
 *
 * @since 0.1.0
 * @category utils
 */
export const clientVersionProblem = (info: ServerInfo, clientVersion: string, serverUrl: string): string | undefined => {
  const minimum = info["cli-minimal-version"]
  const parsedMinimum = parseSemVer(minimum)
  const parsedBad = info["cli-bad-versions"].map((bad) => [bad, parseSemVer(bad)] as const)
  const unparsable = parsedMinimum === undefined ? minimum : parsedBad.find(([, parsed]) => parsed === undefined)?.[0]
  if (unparsable !== undefined || parsedMinimum === undefined) {
    return `${serverUrl} returned an incorrectly formatted version; please contact that server's administrators: Invalid version string: '${unparsable}'`
  }
  const ours = parseSemVer(clientVersion)
  if (ours === undefined) return `Client version ${clientVersion} is not a semantic version; cannot check it against ${serverUrl}.`
  if (compareSemVer(ours, parsedMinimum) < 0) {
    return `Client version ${clientVersion} is too old!  Server requires at least version ${minimum}`
  }
  if (parsedBad.some(([, bad]) => bad !== undefined && compareSemVer(ours, bad) === 0)) {
    return `Client version ${clientVersion} is rejected by server!  Server requires at least version ${minimum} (but not ${clientVersion})`
  }
  return undefined
}
