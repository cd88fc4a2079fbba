import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { clockToTimeOfDay, type Harness, TIMES_OF_DAY } from "./TestArchive.js"

const create = (name: string, token = "owner-token", query = "") => ({
  path: `/dandisets/${query}`,
  call: { token, body: { name, metadata: { description: "d", license: ["spdx:CC0-1.0"] } } }
})

export const dandisetsSuite = (harness: Harness) => {
  const { withUsers } = harness

  describe(`emulator dandisets [${harness.name}]`, () => {
    it.scoped("creates a dandiset with 200, the default contact person and a Pending draft", () =>
      Effect.gen(function*() {
        const { api, apiUrl } = yield* withUsers
        const c = create("Test Dandiset")
        const r = yield* api("POST", c.path, c.call)
        expect(r.status).toBe(200)
        expect(r.json.identifier).toBe("000001")
        expect(r.json.contact_person).toBe("Doe, Jane")
        expect(r.json.embargo_status).toBe("OPEN")
        expect(r.json.most_recent_published_version).toBeNull()
        expect(Object.keys(r.json.draft_version)).toEqual([
          "version", "name", "asset_count", "active_uploads", "size", "status", "created", "modified", "release_notes"
        ])
        expect(r.json.draft_version.status).toBe("Pending")
        const md = yield* api("GET", "/dandisets/000001/versions/draft/")
        expect(md.json.contributor[0]).toEqual({
          name: "Doe, Jane",
          email: "jane@example.org",
          roleName: ["dcite:ContactPerson"],
          schemaKey: "Person",
          affiliation: [],
          includeInCitation: true
        })
        expect(md.json.identifier).toBe("DANDI:000001")
        expect(md.json.id).toBe("DANDI:000001/draft")
        expect(md.json.url).toBe("https://web.test/dandiset/000001/draft")
        expect(md.json.manifestLocation).toEqual([`${apiUrl}/dandisets/000001/versions/draft/assets/`])
        expect(md.json.access).toEqual([{ schemaKey: "AccessRequirements", status: "dandi:OpenAccess" }])
        expect(md.json.assetsSummary).toEqual({ schemaKey: "AssetsSummary", numberOfBytes: 0, numberOfFiles: 0 })
      }))

    it.scoped("validates create bodies and identifier requests", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const noName = yield* api("POST", "/dandisets/", { token: "owner-token", body: { metadata: {} } })
        expect(noName.json).toEqual({ name: ["This field is required."] })
        const ident = yield* api("POST", "/dandisets/", {
          token: "owner-token",
          body: { name: "x", metadata: { identifier: "DANDI:123456" } }
        })
        expect(ident.json).toBe("Creating a dandiset for a given identifier is an admin only operation.")
        const admin = yield* api("POST", "/dandisets/", {
          token: "admin-token",
          body: { name: "x", metadata: { identifier: "DANDI:123456" } }
        })
        expect(admin.json.identifier).toBe("123456")
        const taken = yield* api("POST", "/dandisets/", {
          token: "admin-token",
          body: { name: "x", metadata: { identifier: "DANDI:123456" } }
        })
        expect(taken.json).toBe("Dandiset 123456 already exists")
        // services/dandiset/__init__.py _create_dandiset names the taken dandiset by its
        // six-digit identifier, whatever number the request spelled
        // (test_dandiset.py::test_dandiset_rest_create_with_duplicate_identifier)
        const short = { token: "admin-token", body: { name: "x", metadata: { identifier: "DANDI:100" } } }
        expect((yield* api("POST", "/dandisets/", short)).json.identifier).toBe("000100")
        expect((yield* api("POST", "/dandisets/", short)).json).toBe("Dandiset 000100 already exists")
        const bad = yield* api("POST", "/dandisets/", { token: "admin-token", body: { name: "x", metadata: { identifier: "DANDI:abc" } } })
        expect(bad.json).toBe("Invalid Identifier abc")
      }))

    it.scoped("keeps its own identifier sequence after a chosen identifier, and lists by creation time", () =>
      // An admin's chosen identifier (test_dandiset.py::test_dandiset_rest_create_with_identifier)
      // is an explicit primary key, which leaves the database sequence alone; the list endpoint
      // orders by `created` unless asked otherwise (views/dandiset.py DandisetViewSet.get_queryset).
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const chosen = yield* api("POST", "/dandisets/", { token: "admin-token", body: { name: "Chosen", metadata: { identifier: "DANDI:000005" } } })
        expect(chosen.json.identifier).toBe("000005")
        yield* TestClock.adjust("1 second")
        const first = create("First")
        expect((yield* api("POST", first.path, first.call)).json.identifier).toBe("000001")
        yield* TestClock.adjust("1 second")
        const second = create("Second")
        expect((yield* api("POST", second.path, second.call)).json.identifier).toBe("000002")
        const listed = yield* api("GET", "/dandisets/")
        expect(listed.json.results.map((d: any) => d.identifier)).toEqual(["000005", "000001", "000002"])
        const byId = yield* api("GET", "/dandisets/?ordering=id")
        expect(byId.json.results.map((d: any) => d.identifier)).toEqual(["000001", "000002", "000005"])
      }))

    it.scoped("embargoes on request and hides embargoed dandisets from default listings", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("Secret", "owner-token", "?embargo=true")
        const r = yield* api("POST", c.path, c.call)
        expect(r.json.embargo_status).toBe("EMBARGOED")
        const mine = yield* api("GET", "/dandisets/", { token: "owner-token" })
        expect(mine.json.count).toBe(0)
        const asked = yield* api("GET", "/dandisets/?embargoed=true&user=me", { token: "owner-token" })
        expect(asked.json.count).toBe(1)
        const anonEmbargoed = yield* api("GET", "/dandisets/?embargoed=true")
        expect(anonEmbargoed.status).toBe(401)
        expect(anonEmbargoed.json).toBe(
          "Authentication credentials must be provided when attempting to access embargoed dandisets"
        )
        const anon = yield* api("GET", "/dandisets/000001/")
        expect(anon.status).toBe(401)
        const other = yield* api("GET", "/dandisets/000001/versions/", { token: "other-token" })
        expect(other.status).toBe(403)
        expect(other.json).toEqual({ detail: "You do not have permission to perform this action." })
        const admin = yield* api("GET", "/dandisets/000001/", { token: "admin-token" })
        expect(admin.status).toBe(200)
        const md = yield* api("GET", "/dandisets/000001/versions/draft/", { token: "owner-token" })
        expect(md.json.access[0].status).toBe("dandi:EmbargoedAccess")
        expect(md.json.access[0].embargoedUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      }))

    it.scoped("rejects half-given funding information and out-of-range embargo dates", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x", "owner-token", "?embargo=true&funding_source=NIH")
        const r = yield* api("POST", c.path, c.call)
        expect(r.json).toEqual({ non_field_errors: ["Award number is required when funding source is set"] })
        const far = create("x", "owner-token", "?embargo=true&embargo_end_date=2100-01-01")
        const f = yield* api("POST", far.path, far.call)
        expect(f.json).toEqual({ non_field_errors: ["Invalid embargo end date"] })
      }))

    // The server judges embargo end dates on UTC calendar days: the default is today + 2 × 365
    // days, the limit today + 730 days, or + 1825 with a funding source and award number
    // (dandiapi/api/views/serializers.py CreateDandisetQueryParameterSerializer; server tests
    // test_dandiset.py::test_dandiset_rest_create_embargoed_embargo_end_date_default,
    // ::test_dandiset_rest_create_embargoed_embargo_end_date,
    // ::test_dandiset_rest_create_embargoed_with_award_info). Each time of day is checked on a
    // later day than the harness's start, so it holds whatever instant the suite starts at.
    for (const [label, sinceMidnight] of TIMES_OF_DAY) {
      it.scoped(`judges embargo end dates on calendar days, ${label}`, () =>
        Effect.gen(function*() {
          const { api } = yield* withUsers
          const dayPlus = yield* clockToTimeOfDay(sinceMidnight)
          const embargoed = (query: string) => {
            const c = create("E", "owner-token", `?embargo=true${query}`)
            return api("POST", c.path, c.call)
          }
          const untilOf = (identifier: string) =>
            Effect.map(api("GET", `/dandisets/${identifier}/versions/draft/`, { token: "owner-token" }), (r) => r.json.access[0].embargoedUntil)

          const byDefault = yield* embargoed("")
          expect(byDefault.status).toBe(200)
          expect(byDefault.json.embargo_status).toBe("EMBARGOED")
          expect(yield* untilOf(byDefault.json.identifier)).toBe(dayPlus(730))

          const today = yield* embargoed(`&embargo_end_date=${dayPlus(0)}`)
          expect(today.status).toBe(200)
          expect(yield* untilOf(today.json.identifier)).toBe(dayPlus(0))
          const last = yield* embargoed(`&embargo_end_date=${dayPlus(730)}`)
          expect(last.status).toBe(200)
          expect(yield* untilOf(last.json.identifier)).toBe(dayPlus(730))
          const tooLate = yield* embargoed(`&embargo_end_date=${dayPlus(731)}`)
          expect(tooLate.status).toBe(400)
          expect(tooLate.json).toEqual({ non_field_errors: ["Invalid embargo end date"] })
          // DateField reads dates with Django's parse_date, which tries date.fromisoformat first
          const basic = yield* embargoed(`&embargo_end_date=${dayPlus(730).replaceAll("-", "")}`)
          expect(basic.status).toBe(200)
          expect(yield* untilOf(basic.json.identifier)).toBe(dayPlus(730))
          expect((yield* embargoed(`&embargo_end_date=${dayPlus(731).replaceAll("-", "")}`)).status).toBe(400)

          const funding = "&funding_source=National%20Institutes%20of%20Health%20(NIH)&award_number=R01MH123456"
          const funded = yield* embargoed(`${funding}&embargo_end_date=${dayPlus(1825)}`)
          expect(funded.status).toBe(200)
          expect(yield* untilOf(funded.json.identifier)).toBe(dayPlus(1825))
          const fundedTooLate = yield* embargoed(`${funding}&embargo_end_date=${dayPlus(1826)}`)
          expect(fundedTooLate.status).toBe(400)
          expect(fundedTooLate.json).toEqual({ non_field_errors: ["Invalid embargo end date"] })
        }))
    }

    it.scoped("a funded embargo lists the funder alone among the contributors, with no contact person", () =>
      // test_dandiset.py::test_dandiset_rest_create_embargoed_with_award_info: the funder is
      // appended to the contributors the client sent, not to the default contact person.
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("E", "owner-token", "?embargo=true&funding_source=National%20Institutes%20of%20Health%20(NIH)&award_number=R01MH123456")
        const r = yield* api("POST", c.path, c.call)
        expect(r.status).toBe(200)
        expect(r.json.contact_person).toBe("")
        const md = yield* api("GET", `/dandisets/${r.json.identifier}/versions/draft/`, { token: "owner-token" })
        expect(md.json.contributor).toEqual([{
          schemaKey: "Organization",
          name: "National Institutes of Health (NIH)",
          awardNumber: "R01MH123456",
          roleName: ["dcite:Funder"],
          includeInCitation: false
        }])
        // A blank funding source still counts as given (CharField(allow_blank=True)): it needs an
        // award number and allows five years, but adds no funder (`if funding_source:`).
        const blankFunder = create("B", "owner-token", "?embargo=true&funding_source=%20")
        expect((yield* api("POST", blankFunder.path, blankFunder.call)).json).toEqual({
          non_field_errors: ["Award number is required when funding source is set"]
        })
        const blank = create("B", "owner-token", "?embargo=true&funding_source=&award_number=&embargo_end_date=2100-01-01")
        expect((yield* api("POST", blank.path, blank.call)).json).toEqual({ non_field_errors: ["Invalid embargo end date"] })
        const blankOk = create("B", "owner-token", "?embargo=true&funding_source=&award_number=")
        const b = yield* api("POST", blankOk.path, blankOk.call)
        expect(b.status).toBe(200)
        expect(b.json.contact_person).toBe("Doe, Jane")
        const bmd = yield* api("GET", `/dandisets/${b.json.identifier}/versions/draft/`, { token: "owner-token" })
        expect(bmd.json.contributor.map((x: any) => x.schemaKey)).toEqual(["Person"])
        const unfunded = create("U", "owner-token", "?embargo=true")
        const u = yield* api("POST", unfunded.path, unfunded.call)
        const umd = yield* api("GET", `/dandisets/${u.json.identifier}/versions/draft/`, { token: "owner-token" })
        // test_dandiset_rest_create_embargoed_no_funding_info: no Organization is added
        expect(umd.json.contributor.filter((x: any) => x.schemaKey === "Organization")).toEqual([])
        expect(u.json.contact_person).toBe("Doe, Jane")
      }))

    it.scoped("parses embargo_end_date even when no embargo is asked for", () =>
      // CreateDandisetQueryParameterSerializer declares embargo_end_date as a DateField whatever
      // `embargo` says, so a malformed date is refused for an open dandiset too; validate() skips
      // only the limits when `embargo` is false (views/serializers.py; no server test covers it).
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x", "owner-token", "?embargo_end_date=2030-02-30")
        const r = yield* api("POST", c.path, c.call)
        expect(r.status).toBe(400)
        expect(r.json).toEqual({ embargo_end_date: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."] })
        const ok = create("x", "owner-token", "?embargo_end_date=2030-02-28")
        const open = yield* api("POST", ok.path, ok.call)
        expect(open.status).toBe(200)
        expect(open.json.embargo_status).toBe("OPEN")
        // Django's parse_date: date.fromisoformat, then its own YYYY-M-D pattern; a blank value
        // is a value, and no date
        for (const [given, status] of [["2030-2-8", 200], ["2030-W05-3", 200], ["", 400], ["2030-02-28T00:00", 400]] as const) {
          const c = create("x", "owner-token", `?embargo_end_date=${given}`)
          expect((yield* api("POST", c.path, c.call)).status, given).toBe(status)
        }
      }))

    it.scoped("paginates with absolute, sorted next/previous links and Invalid page errors", () =>
      Effect.gen(function*() {
        const { api, apiUrl } = yield* withUsers
        for (const name of ["a", "b", "c"]) {
          const c = create(name)
          yield* api("POST", c.path, c.call)
        }
        const p1 = yield* api("GET", "/dandisets/?page_size=1&ordering=id")
        expect(p1.json.count).toBe(3)
        expect(p1.json.next).toBe(`${apiUrl}/dandisets/?ordering=id&page=2&page_size=1`)
        expect(p1.json.previous).toBeNull()
        const p2 = yield* api("GET", "/dandisets/?page=2&page_size=1")
        expect(p2.json.previous).toBe(`${apiUrl}/dandisets/?page_size=1`)
        expect(p2.json.results[0].identifier).toBe("000002")
        const past = yield* api("GET", "/dandisets/?page=4&page_size=1")
        expect(past.status).toBe(404)
        expect(past.json).toEqual({ detail: "Invalid page." })
        const junk = yield* api("GET", "/dandisets/?page=abc")
        expect(junk.status).toBe(404)
        const fallback = yield* api("GET", "/dandisets/?page_size=-5")
        expect(fallback.json.results.length).toBe(3)
        const bool = yield* api("GET", "/dandisets/?draft=maybe")
        expect(bool.json).toEqual({ draft: ["Must be a valid boolean."] })
        const emptyParam = yield* api("GET", "/dandisets/?draft=&ordering=")
        expect(emptyParam.json.count).toBe(3)
        const desc = yield* api("GET", "/dandisets/?ordering=-id")
        expect(desc.json.results.map((d: any) => d.identifier)).toEqual(["000003", "000002", "000001"])
        const ignored = yield* api("GET", "/dandisets/?ordering=bogus")
        expect(ignored.status).toBe(200)
      }))

    it.scoped("searches free text and operators, with string error bodies", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const a = create("Mouse hippocampus")
        yield* api("POST", a.path, a.call)
        const b = create("Zebrafish")
        yield* api("POST", b.path, b.call)
        const text = yield* api("GET", "/dandisets/?search=hippocampus")
        expect(text.json.results.map((d: any) => d.identifier)).toEqual(["000001"])
        const ident = yield* api("GET", "/dandisets/?search=000002")
        expect(ident.json.results.map((d: any) => d.identifier)).toEqual(["000002"])
        const owner = yield* api("GET", "/dandisets/?search=owner:owner")
        expect(owner.json.count).toBe(2)
        const typo = yield* api("GET", "/dandisets/?search=specie:mouse")
        expect(typo.status).toBe(400)
        expect(typo.json).toEqual({
          search: "Unknown search operator \"specie\". Did you mean \"species\"? Wrap the term in double quotes (e.g. \"foo:bar\") to search for it as text."
        })
        const date = yield* api("GET", "/dandisets/?search=created_after:not-a-date")
        expect(date.json).toEqual({ search: "Invalid date for \"created_after\": 'not-a-date'. Use YYYY-MM-DD." })
      }))

    // dandiapi/api/services/search/parser.py: only a lower-case `[a-z_]+:` prefix followed by at
    // least one character makes an operator; values are stripped and must not be empty
    // (filters.py). Cases from test_search_parser.py::test_parse_search_raises_on_invalid_query and
    // test_dandiset.py::test_advanced_search_empty_operator_value_returns_400.
    it.scoped("reads only lower-case key: tokens as search operators, as the server's parser does", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const a = create("Mouse hippocampus")
        yield* api("POST", a.path, a.call)
        const search = (q: string) => api("GET", `/dandisets/?search=${encodeURIComponent(q)}`)
        const ids = (r: { readonly json: any }) => r.json.results.map((d: any) => d.identifier)

        const identifier = yield* search("DANDI:000001")
        expect(identifier.status).toBe(200)
        expect(ids(identifier)).toEqual(["000001"])
        const spaced = yield* search("species: mouse")
        expect(spaced.status).toBe(200)
        const bareKey = yield* search("species:")
        expect(bareKey.status).toBe(200)
        const blank = yield* search("species:\" \"")
        expect(blank.status).toBe(400)
        expect(blank.json).toEqual({ search: "Operator \"species\" requires a value (e.g. species:something)." })
        const quotedText = yield* search("\"foo:bar\" hippocampus")
        expect(quotedText.status).toBe(200)

        const unknown = yield* search("foo:bar")
        expect(unknown.json).toEqual({
          search: "Unknown search operator \"foo\". Wrap the term in double quotes (e.g. \"foo:bar\") to search for it as text."
        })
        const missingUnderscore = yield* search("createdafter:2024-01-01")
        expect(missingUnderscore.json.search).toContain("Did you mean \"created_after\"")
        const unbalanced = yield* search("hello \"world species:mouse")
        expect(unbalanced.status).toBe(400)
        expect(unbalanced.json).toEqual({
          search: "Unbalanced quote in search query. Remove the stray quote, or wrap the intended phrase in matched quotes."
        })
        const long = yield* search("a".repeat(5000))
        expect(long.json).toEqual({ search: "Search query is too long (5000 characters; max 1024)." })
        const shortDate = yield* search("created_after:2024-1-5")
        expect(shortDate.status).toBe(200)
        const badDay = yield* search("created_after:2024-02-30")
        expect(badDay.json).toEqual({ search: "Invalid date for \"created_after\": '2024-02-30'. Use YYYY-MM-DD." })
      }))

    // services/search/filters.py: a date operator's value is midnight UTC of that day;
    // created_after keeps created >= it, created_before created < it
    // (test_dandiset.py::test_advanced_search_created_after_filters_dandisets,
    // ::test_advanced_search_created_before_filters_dandisets).
    for (const [label, sinceMidnight] of TIMES_OF_DAY) {
      it.scoped(`filters by creation date on UTC days, ${label}`, () =>
        Effect.gen(function*() {
          const { api } = yield* withUsers
          const dayPlus = yield* clockToTimeOfDay(sinceMidnight)
          const c = create("Dated")
          yield* api("POST", c.path, c.call)
          const count = (query: string) =>
            Effect.map(api("GET", `/dandisets/?empty=true&search=${encodeURIComponent(query)}`), (r) => r.json.count as number)
          expect(yield* count(`created_after:${dayPlus(0)}`)).toBe(1)
          expect(yield* count(`created_after:${dayPlus(1)}`)).toBe(0)
          expect(yield* count(`created_before:${dayPlus(0)}`)).toBe(0)
          expect(yield* count(`created_before:${dayPlus(1)}`)).toBe(1)
        }))
    }

    it.scoped("stars, lists starred, and requires auth to filter by stars", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x")
        yield* api("POST", c.path, c.call)
        const star = yield* api("POST", "/dandisets/000001/star/", { token: "other-token" })
        expect(star.json).toEqual({ count: 1 })
        const again = yield* api("POST", "/dandisets/000001/star/", { token: "other-token" })
        expect(again.json).toEqual({ count: 1 })
        const listed = yield* api("GET", "/dandisets/?starred=true", { token: "other-token" })
        expect(listed.json.results[0].is_starred).toBe(true)
        const anon = yield* api("GET", "/dandisets/?starred=true")
        expect(anon.json).toBe("Must be authenticated to filter by starred dandisets.")
        const unstar = yield* api("DELETE", "/dandisets/000001/star/", { token: "other-token" })
        expect(unstar.json).toEqual({ count: 0 })
        const get = yield* api("GET", "/dandisets/000001/star/", { token: "other-token" })
        expect(get.status).toBe(405)
      }))

    it.scoped("lists and replaces owners with the real error bodies", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x")
        yield* api("POST", c.path, c.call)
        const anon = yield* api("GET", "/dandisets/000001/users/")
        expect(anon.json).toEqual([{ username: "owner", name: "Jane Doe", email: null }])
        const authed = yield* api("GET", "/dandisets/000001/users/", { token: "other-token" })
        expect(authed.json[0].email).toBe("jane@example.org")
        const notOwner = yield* api("PUT", "/dandisets/000001/users/", { token: "other-token", body: [{ username: "other" }] })
        expect(notOwner.status).toBe(403)
        expect(notOwner.json).toBe("Action not allowed")
        const none = yield* api("PUT", "/dandisets/000001/users/", { token: "owner-token", body: [] })
        expect(none.json).toEqual(["Cannot remove all draft owners"])
        const missing = yield* api("PUT", "/dandisets/000001/users/", { token: "owner-token", body: [{}] })
        expect(missing.json).toEqual([{ username: ["This field is required."] }])
        const dict = yield* api("PUT", "/dandisets/000001/users/", { token: "owner-token", body: {} })
        expect(dict.json).toEqual({ non_field_errors: ["Expected a list of items but got type \"dict\"."] })
        const ghost = yield* api("PUT", "/dandisets/000001/users/", { token: "owner-token", body: [{ username: "ghost" }] })
        expect(ghost.json).toEqual(["User ghost not found"])
        // views/serializers.py UserSerializer: username is a CharField with Django's
        // UnicodeUsernameValidator; a list's errors line up with its items, {} for a good one
        // (shape: test_dandiset.py::test_dandiset_rest_add_malformed)
        const put = (body: unknown) => api("PUT", "/dandisets/000001/users/", { token: "owner-token", body })
        const malformed = yield* put([{ username: "owner" }, { username: "no spaces allowed" }])
        expect(malformed.status).toBe(400)
        expect(malformed.json).toEqual([{}, {
          username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]
        }])
        expect((yield* put([{ username: "" }, { username: true }])).json).toEqual([
          { username: ["This field may not be blank."] },
          { username: ["Not a valid string."] }
        ])
        expect((yield* put(["owner", null])).json).toEqual([
          { non_field_errors: ["Invalid data. Expected a dictionary, but got str."] },
          ["This field may not be null."]
        ])
        expect((yield* put(null)).json).toEqual({ non_field_errors: ["No data provided"] })
        expect((yield* put([{ username: "jörg.ü@x+y-z_1" }])).json).toEqual(["User jörg.ü@x+y-z_1 not found"])
        const trimmed = yield* put([{ username: " owner " }])
        expect(trimmed.status).toBe(200)
        expect(trimmed.json.map((o: any) => o.username)).toEqual(["owner"])
        const ok = yield* api("PUT", "/dandisets/000001/users/", {
          token: "owner-token",
          body: [{ username: "owner" }, { username: "other" }]
        })
        expect(ok.json.map((o: any) => o.username)).toEqual(["owner", "other"])
      }))

    it.scoped("deletes unpublished dandisets only for owners", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x")
        yield* api("POST", c.path, c.call)
        const other = yield* api("DELETE", "/dandisets/000001/", { token: "other-token" })
        expect(other.status).toBe(403)
        expect(other.json).toBe("Cannot delete dandisets which you do not own.")
        const ok = yield* api("DELETE", "/dandisets/000001/", { token: "owner-token" })
        expect(ok.status).toBe(204)
        expect(ok.text).toBe("")
        const gone = yield* api("GET", "/dandisets/000001/")
        expect(gone.json).toEqual({ detail: "Not found." })
      }))

    it.scoped("unembargoes through UNEMBARGOING to OPEN on the clock", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const c = create("x", "owner-token", "?embargo=true")
        yield* api("POST", c.path, c.call)
        const notOwner = yield* api("POST", "/dandisets/000001/unembargo/", { token: "other-token" })
        expect(notOwner.status).toBe(403)
        expect(notOwner.text).toBe("")
        const r = yield* api("POST", "/dandisets/000001/unembargo/", { token: "owner-token" })
        expect(r.status).toBe(200)
        expect(r.text).toBe("")
        const during = yield* api("GET", "/dandisets/000001/", { token: "owner-token" })
        expect(during.json.embargo_status).toBe("UNEMBARGOING")
        const locked = yield* api("PUT", "/dandisets/000001/versions/draft/", {
          token: "owner-token",
          body: { name: "y", metadata: {} }
        })
        expect(locked.json).toBe("Dandiset modification not allowed during unembargo")
        const again = yield* api("POST", "/dandisets/000001/unembargo/", { token: "owner-token" })
        expect(again.json).toBe("Dandiset not embargoed")
        yield* TestClock.adjust("1 second")
        const after = yield* api("GET", "/dandisets/000001/")
        expect(after.json.embargo_status).toBe("OPEN")
      }))

    // services/embargo unembargo_dandiset sets embargo_end_date to timezone.now().date(), the
    // UTC day the task runs (test_unembargo.py::test_unembargo_dandiset); the draft's access
    // keeps embargoedUntil with that date (models/version.py _populate_access_metadata).
    for (const [label, sinceMidnight] of TIMES_OF_DAY) {
      it.scoped(`dates an unembargo on the UTC day it completes, ${label}`, () =>
        Effect.gen(function*() {
          const { api } = yield* withUsers
          const dayPlus = yield* clockToTimeOfDay(sinceMidnight)
          const c = create("x", "owner-token", "?embargo=true")
          const { identifier } = (yield* api("POST", c.path, c.call)).json
          const access = Effect.map(
            api("GET", `/dandisets/${identifier}/versions/draft/`, { token: "owner-token" }),
            (r) => r.json.access[0]
          )
          expect((yield* access).embargoedUntil).toBe(dayPlus(730))
          expect((yield* api("POST", `/dandisets/${identifier}/unembargo/`, { token: "owner-token" })).status).toBe(200)
          yield* TestClock.adjust("500 millis")
          expect((yield* api("GET", `/dandisets/${identifier}/`)).json.embargo_status).toBe("OPEN")
          expect(yield* access).toEqual({ schemaKey: "AccessRequirements", status: "dandi:OpenAccess", embargoedUntil: dayPlus(0) })
        }))
    }
  })
}
