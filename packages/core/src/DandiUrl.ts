/**
 * Resource identifiers: every form users paste (`DANDI:000027/draft`, `dandi://dandi/000027@draft/sub-1/`,
 * archive web URLs, API URLs, and the CLI's bare `000027[/version]`) parsed into one typed target.
 *
 * The patterns are dandi-cli's `parse_dandi_url`, tried in its order with whole-string matches.
 * Parsing never touches the network. Where dandi-cli would follow an HTTP redirect and parse the
 * result (`gui.dandiarchive.org`, `identifiers.org`, any other http(s) URL), the target is
 * `NeedsRedirect`: the caller follows the redirect and parses the final URL. An unknown server in
 * a web or API URL is not an error: the target names it by URL (`ServerUrl`), to be resolved with
 * `DandiInstance.resolveInstance`.
 *
 * Two deliberate differences from dandi-cli: the instance name of `dandi://` is matched
 * case-insensitively, and the bare CLI forms `000027` / `000027/draft` are accepted (on
 * `defaultInstance`, `dandi` unless given). `INSTANCE:ID` stays upper-case only, as dandi-cli
 * matches it in practice.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { InstanceMismatchError, UnknownInstanceError, UnknownUrlError } from "./DandiError.js"
import {
  DandiInstance,
  DEFAULT_INSTANCE_HOST,
  instanceFromUrl,
  KNOWN_INSTANCE_NAMES,
  knownInstance,
  resolveInstance,
  parseOrigin
} from "./DandiInstance.js"

/**
 * Which archive a target lives on: a known instance, or a server known only by URL (`isApi`
 * when the URL included the `/api` prefix, i.e. it is an API base URL).
 *
 * @since 0.1.0
 * @category models
 */
export type InstanceRef = Data.TaggedEnum<{
  KnownInstance: { readonly instance: DandiInstance }
  ServerUrl: { readonly url: string; readonly isApi: boolean }
}>
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const InstanceRef = Data.taggedEnum<InstanceRef>()

/**
 * What a resource identifier points at. `version` is undefined when the identifier names none
 * (then the most recent published version, else the draft, is meant).
 *
 * - `Dandiset`: a dandiset (at a version).
 * - `AssetId`: an asset by id alone (`/api/assets/{id}/`).
 * - `AssetIdInVersion`: an asset by id within a dandiset version.
 * - `AssetPathPrefix`: every asset whose path starts with `pathPrefix` (`assets/?path=`).
 * - `AssetItem`: the one asset at `path`.
 * - `AssetFolder`: every asset under the folder `path` (ends with `/`).
 * - `AssetGlob`: every asset whose path matches `glob` (`*` only).
 * - `NeedsRedirect`: follow the redirects of `url`, then parse the final URL.
 *
 * @since 0.1.0
 * @category models
 */
export type DandiTarget = Data.TaggedEnum<{
  Dandiset: { readonly instance: InstanceRef; readonly dandisetId: string; readonly version: string | undefined }
  AssetId: { readonly instance: InstanceRef; readonly assetId: string }
  AssetIdInVersion: {
    readonly instance: InstanceRef
    readonly dandisetId: string
    readonly version: string
    readonly assetId: string
  }
  AssetPathPrefix: {
    readonly instance: InstanceRef
    readonly dandisetId: string
    readonly version: string
    readonly pathPrefix: string
  }
  AssetItem: {
    readonly instance: InstanceRef
    readonly dandisetId: string
    readonly version: string | undefined
    readonly path: string
  }
  AssetFolder: {
    readonly instance: InstanceRef
    readonly dandisetId: string
    readonly version: string | undefined
    readonly path: string
  }
  AssetGlob: {
    readonly instance: InstanceRef
    readonly dandisetId: string
    readonly version: string | undefined
    readonly glob: string
  }
  NeedsRedirect: { readonly url: string }
}>
/**
 * @since 0.1.0
 *
 * @category constants
 */
export const DandiTarget = Data.taggedEnum<DandiTarget>()

/**
 * @since 0.1.0
 *
 * @category models
 */
export interface ParseOptions {
  /** Treat a location as a glob pattern (dandi-cli's `glob=True`, `dandi download --glob`). */
  readonly glob?: boolean
  /**
   * Instance for the bare forms `000027` and `000027/draft`: a known name or a server URL.
   * Default `dandi`.
   */
  readonly defaultInstance?: string
  /** Host of the `dandi-api-local-docker-tests` instance (DANDI_INSTANCEHOST). */
  readonly instanceHost?: string
}

/** `dandi/consts.py`: `DANDISET_ID_REGEX`, `PUBLISHED_VERSION_REGEX`, `VERSION_REGEX`. */
const ID = "(\\d{6})"
const VERSION = "(\\d+\\.\\d+\\.\\d+|draft)"
const PUBLISHED_VERSION = "(\\d+\\.\\d+\\.\\d+)"
/** `scheme://host/` plus an optional `api/`. */
const SERVER = "(https?://[^/]+/(?:api/)?)"

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const whole = (source: string, flags = "") => new RegExp(`^(?:${source})$`, flags)

const prefixedId = whole(
  `(${KNOWN_INSTANCE_NAMES.map((name) => escapeRegex(name.toUpperCase())).join("|")}):${ID}(?:/${VERSION})?`
)
const gui = whole("https?://gui\\.dandiarchive\\.org/.*")
const identifiersOrg = whole(`https?://identifiers\\.org/DANDI:${ID}(?:/${PUBLISHED_VERSION})?`, "i")
const webUrl = whole(`${SERVER}(?:#/)?dandiset/${ID}(?:/${VERSION})?(?:/(?:files(\\?location=(.*)?)?)?)?`)
const netlify = whole("(https?://[^/]*dandiarchive-org\\.netlify\\.app)(/.*)")
const apiDandiset = whole(`${SERVER}dandisets/${ID}(?:/versions(?:/${VERSION})?)?/?`)
const apiAsset = whole(`${SERVER}assets/([^?/]+)(?:/(?:download/?)?)?`)
const apiAssetInVersion = whole(`${SERVER}dandisets/${ID}/versions/${VERSION}/assets/([^?/]+)(?:/(?:download/?)?)?`)
const apiPathPrefix = whole(`${SERVER}dandisets/${ID}/versions/${VERSION}/assets/\\?path=([^&]+)`)
const apiGlob = whole(`${SERVER}dandisets/${ID}/versions/${VERSION}/assets/\\?glob=([^&]+)`)
const dandiScheme = whole(`dandi://([-\\w._]+)/${ID}(?:@${VERSION})?(?:/(.*)?)?`)
const anyHttp = whole("https?://.*", "i")
const bare = whole(`${ID}(?:/${VERSION})?`)

/** Percent-decoding as Python's `unquote`: a malformed escape stays as written. */
const unquote = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

const sortedNames = [...KNOWN_INSTANCE_NAMES].sort().join(", ")

const unknownInstance = (input: string, name: string) =>
  new UnknownUrlError({ message: `Unknown instance '${name}'.  Valid instances: ${sortedNames}`, input })

/** The instance of a `scheme://host/[api/]` server group; deploy previews of the web app are the sandbox's. */
const instanceOfServer = (server: string, instanceHost: string): InstanceRef => {
  const url = server.replace(/\/+$/, "")
  const host = parseOrigin(url)?.host ?? ""
  if (/^deploy-preview-.*--gui-dandiarchive-org\.netlify\.app$/.test(host)) {
    return InstanceRef.KnownInstance({ instance: Either.getOrThrow(knownInstance("dandi-sandbox")) })
  }
  const known = instanceFromUrl(url, instanceHost)
  if (known !== undefined) return InstanceRef.KnownInstance({ instance: known })
  return InstanceRef.ServerUrl({ url, isApi: server.endsWith("/api/") })
}

const instanceOfName = (name: string, input: string, instanceHost: string): Either.Either<InstanceRef, UnknownUrlError> => {
  const lowered = name.toLowerCase()
  if (lowered.startsWith("http://") || lowered.startsWith("https://")) {
    return Either.right(instanceOfServer(name.endsWith("/") ? name : `${name}/`, instanceHost))
  }
  return Either.match(knownInstance(lowered, instanceHost), {
    onLeft: () => Either.left(unknownInstance(input, name)),
    onRight: (instance) => Either.right(InstanceRef.KnownInstance({ instance }))
  })
}

/** A dandiset-scoped location: folder, item or glob; or the dandiset itself when it is empty. */
const located = (
  instance: InstanceRef,
  dandisetId: string,
  version: string | undefined,
  rawLocation: string | undefined,
  options: { readonly glob: boolean; readonly asFolder: boolean }
): DandiTarget => {
  let location = rawLocation === undefined ? "" : unquote(rawLocation).replace(/^\/+/, "")
  if (location === "") return DandiTarget.Dandiset({ instance, dandisetId, version })
  if (options.glob) return DandiTarget.AssetGlob({ instance, dandisetId, version, glob: location })
  if (options.asFolder && !location.endsWith("/")) location = `${location}/`
  return location.endsWith("/")
    ? DandiTarget.AssetFolder({ instance, dandisetId, version, path: location })
    : DandiTarget.AssetItem({ instance, dandisetId, version, path: location })
}

/**
 * Parses a resource identifier. Fails with UnknownUrlError for anything that is none of the
 * forms, and for an unknown instance name in `dandi://` or in the default instance.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseDandiUrl = (input: string, options: ParseOptions = {}): Either.Either<DandiTarget, UnknownUrlError> => {
  const glob = options.glob ?? false
  const instanceHost = options.instanceHost ?? DEFAULT_INSTANCE_HOST
  const text = input.trim()
  let match: RegExpExecArray | null

  if ((match = prefixedId.exec(text)) !== null) {
    const [, name = "", dandisetId = "", version] = match
    return Either.map(instanceOfName(name, input, instanceHost), (instance) =>
      DandiTarget.Dandiset({ instance, dandisetId, version }))
  }
  if (gui.test(text) || identifiersOrg.test(text)) return Either.right(DandiTarget.NeedsRedirect({ url: text }))
  if ((match = webUrl.exec(text)) !== null) {
    const [, server = "", dandisetId = "", version, locationQuery, location] = match
    const instance = instanceOfServer(server, instanceHost)
    return Either.right(located(instance, dandisetId, version, location, { glob, asFolder: locationQuery !== undefined }))
  }
  if ((match = netlify.exec(text)) !== null) {
    // A web-app preview not in dandiset form: read it as the same page on the main archive.
    const [, , rest = ""] = match
    const dandi = Either.getOrThrow(knownInstance("dandi", instanceHost))
    return parseDandiUrl(`${dandi.gui}${rest}`, options)
  }
  if ((match = apiDandiset.exec(text)) !== null) {
    const [, server = "", dandisetId = "", version] = match
    return Either.right(DandiTarget.Dandiset({ instance: instanceOfServer(server, instanceHost), dandisetId, version }))
  }
  if ((match = apiAsset.exec(text)) !== null) {
    const [, server = "", assetId = ""] = match
    return Either.right(DandiTarget.AssetId({ instance: instanceOfServer(server, instanceHost), assetId }))
  }
  if ((match = apiAssetInVersion.exec(text)) !== null) {
    const [, server = "", dandisetId = "", version = "", assetId = ""] = match
    return Either.right(
      DandiTarget.AssetIdInVersion({ instance: instanceOfServer(server, instanceHost), dandisetId, version, assetId })
    )
  }
  if ((match = apiPathPrefix.exec(text)) !== null) {
    const [, server = "", dandisetId = "", version = "", path = ""] = match
    return Either.right(
      DandiTarget.AssetPathPrefix({
        instance: instanceOfServer(server, instanceHost),
        dandisetId,
        version,
        pathPrefix: unquote(path)
      })
    )
  }
  if ((match = apiGlob.exec(text)) !== null) {
    const [, server = "", dandisetId = "", version = "", pattern = ""] = match
    return Either.right(
      DandiTarget.AssetGlob({ instance: instanceOfServer(server, instanceHost), dandisetId, version, glob: unquote(pattern) })
    )
  }
  if ((match = dandiScheme.exec(text)) !== null) {
    const [, name = "", dandisetId = "", version, location] = match
    return Either.map(instanceOfName(name, input, instanceHost), (instance) =>
      located(instance, dandisetId, version, location, { glob, asFolder: false }))
  }
  if (anyHttp.test(text)) return Either.right(DandiTarget.NeedsRedirect({ url: text }))
  if ((match = bare.exec(text)) !== null) {
    const [, dandisetId = "", version] = match
    return Either.map(instanceOfName(options.defaultInstance ?? "dandi", input, instanceHost), (instance) =>
      DandiTarget.Dandiset({ instance, dandisetId, version }))
  }
  return Either.left(
    new UnknownUrlError({
      message: `Unrecognized resource identifier ${JSON.stringify(input)}. Use a dandiset id (000027, 000027/draft), ` +
        "DANDI:000027[/version], dandi://INSTANCE/000027[@version][/path], or an archive web or API URL.",
      input
    })
  )
}

/**
 * The API base URL of a target's instance, without the network: a known instance's api URL, or an
 * API server URL as given. For the web URL of an unknown server this is only a guess
 * (`{origin}/api`); `DandiInstance.resolveInstance` plus its server info gives the real one.
 *
 * @since 0.1.0
 * @category utils
 */
export const instanceApiUrl = (instance: InstanceRef): string =>
  InstanceRef.$match(instance, {
    KnownInstance: ({ instance }) => instance.api,
    ServerUrl: ({ isApi, url }) => (isApi ? url : `${url}/api`)
  })

/**
 * How to reach the archive a target lives on, and whether its API key may be sent there.
 *
 * @since 0.1.0
 * @category models
 */
export interface TargetConnection {
  /** For DandiConfig's `instance`: a known instance's name, or a URL as the user gave it. */
  readonly instance: string
  /** Whether the server must be asked for its API URL (a web URL, or one not ending in `/api`). */
  readonly discover: boolean
  /**
   * Whether the instance's key (its variable, its saved entry) may be looked up and sent:
   * false for a server reached only through a pasted URL.
   */
  readonly withKey: boolean
}

const originsOf = (instance: DandiInstance): ReadonlyArray<string> =>
  instance.urls().flatMap((url) => {
    const origin = parseOrigin(url)
    return origin === undefined ? [] : [`${origin.scheme}://${origin.host}${origin.port === undefined ? "" : `:${origin.port}`}`]
  })

const originOfUrl = (url: string): string => {
  const origin = parseOrigin(url)
  return origin === undefined ? url : `${origin.scheme}://${origin.host}${origin.port === undefined ? "" : `:${origin.port}`}`
}

const needsDiscovery = (url: string) => !/\/api\/?$/.test(url)

/**
 * The one rule for where an API key may go, shared by the SDK's users and the CLI:
 * - with an instance chosen by the user (`-i`, `DANDI_INSTANCE`, a layer's options), a target
 *   on that instance is read there with its key, and a target on any other archive is an
 *   `InstanceMismatchError` that says so;
 * - without one, a target that names a known instance (`DANDI:000027`, `dandi://linc/…`, its
 *   web or API URL) is read there with that instance's own key, and a server reached only
 *   through a pasted URL is read anonymously: a link can not collect the user's key.
 *
 * @since 0.1.0
 * @category utils
 */
export const connectionFor = (
  target: InstanceRef,
  chosen: string | undefined,
  options: { readonly target?: string | undefined; readonly instanceHost?: string | undefined } = {}
): Either.Either<TargetConnection, InstanceMismatchError | UnknownInstanceError> => {
  const instanceHost = options.instanceHost ?? DEFAULT_INSTANCE_HOST
  if (chosen === undefined) {
    return Either.right(InstanceRef.$match(target, {
      KnownInstance: ({ instance }) => ({ instance: instance.name, discover: false, withKey: true }),
      ServerUrl: ({ isApi, url }) => ({ instance: url, discover: !isApi || needsDiscovery(url), withKey: false })
    }))
  }
  return Either.flatMap(resolveInstance(chosen, instanceHost), (resolution) => {
    const chosenOrigins = resolution._tag === "Known" ? originsOf(resolution.instance) : [resolution.url]
    const targetOrigins = InstanceRef.$match(target, {
      KnownInstance: ({ instance }) => originsOf(instance),
      ServerUrl: ({ url }) => [originOfUrl(url)]
    })
    if (targetOrigins.some((origin) => chosenOrigins.includes(origin))) {
      return Either.right({
        instance: resolution._tag === "Known" && resolution.url === resolution.instance.api ? resolution.instance.name : chosen,
        discover: resolution._tag === "Unknown" && needsDiscovery(chosen),
        withKey: true
      })
    }
    const where = InstanceRef.$match(target, {
      KnownInstance: ({ instance }) => `the ${instance.name} archive (${instance.gui ?? instance.api})`,
      ServerUrl: ({ url }) => originOfUrl(url)
    })
    const what = options.target === undefined ? "The target" : JSON.stringify(options.target)
    return Either.left(
      new InstanceMismatchError({
        message: `${what} is on ${where}, not on the chosen instance ${chosen}, and the chosen instance's API key is sent only to it. ` +
          "Choose that archive as the instance to use its own key there, or choose no instance to read it anonymously.",
        target: options.target ?? where,
        instance: chosen
      })
    )
  })
}
