/**
 * Which instance a command's layer talks to, from the instance a parsed target names.
 */
import type { DandiApiLayerOptions } from "@dandi-effect/core/DandiApi"
import { instanceApiUrl, InstanceRef } from "@dandi-effect/core/DandiUrl"

/**
 * The DandiApi layer options for the instance a target names.
 *
 * @since 0.1.0
 * @category utils
 */
export const connection = (instance: InstanceRef): DandiApiLayerOptions =>
  InstanceRef.$match(instance, {
    KnownInstance: ({ instance }): DandiApiLayerOptions => ({
      instance: { name: instance.name, gui: instance.gui, api: instance.api },
      discover: false
    }),
    ServerUrl: ({ isApi, url }): DandiApiLayerOptions => ({
      // An API URL is used as given; a web URL needs the server to announce its API address.
      // Such an instance is named after its host (`127.0.0.1:8000`), whose `{NAME}_API_KEY` no
      // shell can set, so DANDI_API_KEY stands in for it. Known instances keep their own variable
      // only, so that the dandi key never goes to LINC.
      instance: instanceApiUrl(instance),
      discover: !isApi || !/\/api$/.test(url)
    })
  })
