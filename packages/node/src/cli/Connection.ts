/**
 * Which archive a command talks to, and the NodeDandi options that reach it. Every command that
 * opens a connection (`ls`, `auth`, …) goes through here, so they find the instance and its key
 * by one rule.
 */
import { instanceFromUrl, knownInstance } from "@dandi-effect/core/DandiInstance"
import { instanceApiUrl, InstanceRef } from "@dandi-effect/core/DandiUrl"
import * as Either from "effect/Either"
import type * as NodeDandi from "../NodeDandi.js"

/**
 * The `-i` option's value (a known name, or an archive URL) as an instance reference.
 *
 * @since 0.1.0
 * @category commands
 */
export const instanceRef = (nameOrUrl: string) => {
  const text = nameOrUrl.trim()
  if (/^https?:\/\//i.test(text)) {
    const url = text.replace(/\/+$/, "")
    const known = instanceFromUrl(url)
    return Either.right(
      known === undefined
        ? InstanceRef.ServerUrl({ url, isApi: /\/api$/.test(url) })
        : InstanceRef.KnownInstance({ instance: known })
    )
  }
  return Either.map(knownInstance(text.toLowerCase()), (instance) => InstanceRef.KnownInstance({ instance }))
}

/**
 * The NodeDandi options that reach `instance` (no network until the layer is built).
 *
 * @since 0.1.0
 * @category commands
 */
export const connection = (instance: InstanceRef): NodeDandi.NodeDandiOptions =>
  InstanceRef.$match(instance, {
    KnownInstance: ({ instance }) => ({
      instance: { name: instance.name, gui: instance.gui, api: instance.api },
      discover: false
    }),
    ServerUrl: ({ isApi, url }) => ({
      // An API URL is used as given; a web URL needs the server to announce its API address.
      // Such an instance is named after its host (`127.0.0.1:8000`), whose `{NAME}_API_KEY` no
      // shell can set, so DANDI_API_KEY stands in for it. Known instances keep their own variable
      // only, so that the dandi key never goes to LINC.
      instance: instanceApiUrl(instance),
      discover: !isApi || !/\/api$/.test(url),
      apiKeyFallbackVariables: ["DANDI_API_KEY"]
    })
  })
