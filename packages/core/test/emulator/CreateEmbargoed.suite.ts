/**
 * The SDK's `createDandiset(…, { embargo: true })` against the emulator, at three times of day,
 * over whichever transport the caller's layer gives. dandi-cli's `create_dandiset(name, metadata,
 * embargo=True)` sends `embargo=true` and no end date (dandi/dandiapi.py; its test fixture
 * dandi/tests/fixtures.py SampleDandisetFactory.mkdandiset(embargo=True) relies on it), and the
 * archive defaults the date to today + 2 × 365 days, judging dates on UTC calendar days
 * (views/serializers.py CreateDandisetQueryParameterSerializer; server tests
 * test_dandiset.py::test_dandiset_rest_create_embargoed_embargo_end_date_default,
 * ::test_dandiset_rest_create_embargoed_embargo_end_date).
 */
import { describe, expect, it } from "@effect/vitest"
import { DandiApi } from "@dandi-effect/core/DandiApi"
import { ArchiveEmulator } from "@dandi-effect/core/testing/ArchiveEmulator"
import { Effect, type Layer } from "effect"
import { clockToTimeOfDay, TIMES_OF_DAY } from "./TestArchive.js"

/**
 * A fresh archive and the SDK pointed at it with the key `owner-token`, which is not checked when
 * the layer is built (the user is added afterwards).
 */
export type SdkOverArchive = Layer.Layer<DandiApi | ArchiveEmulator>

const publishable = { description: "A study", license: ["spdx:CC0-1.0"] }

export const createEmbargoedSuite = (transport: string, sdk: () => SdkOverArchive) => {
  describe(`SDK createDandiset with an embargo [${transport}]`, () => {
    for (const [label, sinceMidnight] of TIMES_OF_DAY) {
      it.effect(`without a date ends the embargo 730 days from today, ${label}`, () =>
        Effect.gen(function*() {
          // The clock moves before the archive starts, so the archive lives on that day.
          const dayPlus = yield* clockToTimeOfDay(sinceMidnight)
          yield* Effect.gen(function*() {
            yield* (yield* ArchiveEmulator).admin.addUser({ username: "owner", token: "owner-token", name: "Jane Doe" })
            const api = yield* DandiApi

            const byDefault = yield* api.createDandiset("Embargoed", publishable, { embargo: true })
            expect(yield* byDefault.embargoStatus).toBe("EMBARGOED")
            const metadata = yield* byDefault.getRawMetadata()
            expect(metadata.access).toEqual([
              { schemaKey: "AccessRequirements", status: "dandi:EmbargoedAccess", embargoedUntil: dayPlus(730) }
            ])

            const last = yield* api.createDandiset("Last day", publishable, { embargo: true, embargoEndDate: dayPlus(730) })
            expect(yield* last.embargoStatus).toBe("EMBARGOED")
            const tooLate = yield* Effect.flip(
              api.createDandiset("Too late", publishable, { embargo: true, embargoEndDate: dayPlus(731) })
            )
            expect(tooLate._tag).toBe("RequestRejectedError")
            expect(tooLate.message).toContain("Invalid embargo end date")
          }).pipe(Effect.provide(sdk()))
        }))
    }
  })
}
