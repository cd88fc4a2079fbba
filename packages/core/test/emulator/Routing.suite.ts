import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Harness, utf8 } from "./TestArchive.js"

export const routingSuite = (harness: Harness) => {
  const { makeArchive, withUsers } = harness

  describe(`emulator routing [${harness.name}]`, () => {
    it.scoped("answers /api/info/ with the instance configuration", () =>
      Effect.gen(function*() {
        const { api, apiUrl } = yield* makeArchive
        const r = yield* api("GET", "/info/")
        expect(r.status).toBe(200)
        expect(r.headers["content-type"]).toBe("application/json")
        expect(r.json.schema_version).toBe("0.7.0")
        expect(r.json.allowed_schema_versions).toContain("0.6.10")
        expect(r.json.services.api.url).toBe(apiUrl)
        expect(r.json.services.webui.url).toBe("https://web.test")
        expect(r.json["cli-minimal-version"]).toBe("0.74.0")
        expect(Object.keys(r.json.instance_config).sort()).toEqual(
          ["doi_prefix", "instance_identifier", "instance_name", "instance_url", "licenses"]
        )
      }))

    it.scoped("redirects slash-less paths with 301, relative Location and the query kept, for every method", () =>
      Effect.gen(function*() {
        const { api } = yield* makeArchive
        const get = yield* api("GET", "/auth/token?x=1&y=2")
        expect(get.status).toBe(301)
        expect(get.headers.location).toBe("/api/auth/token/?x=1&y=2")
        const post = yield* api("POST", "/dandisets")
        expect(post.status).toBe(301)
        expect(post.headers.location).toBe("/api/dandisets/")
      }))

    it.scoped("gives Django's HTML 404 for paths matching no route", () =>
      Effect.gen(function*() {
        const { api } = yield* makeArchive
        for (
          const path of [
            "/dandisets/12345/",
            "/dandisets/000001/versions/1.0/",
            "/assets/",
            "/",
            "/assets/7B6A1D90-09B0-427F-BC86-2BBAB7C2DF3E/",
            "/nothing"
          ]
        ) {
          const r = yield* api("GET", path)
          expect(r.status, path).toBe(404)
          expect(r.headers["content-type"]).toBe("text/html")
          expect(r.text).toBe("<h1>Not Found</h1><p>The requested resource was not found on this server.</p>")
        }
      }))

    it.scoped("rejects an invalid API token with 401 even on public reads; bearer tokens count as anonymous", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const bad = yield* api("GET", "/dandisets/", { token: "nope" })
        expect(bad.status).toBe(401)
        expect(bad.json).toEqual({ detail: "Invalid token." })
        const upper = yield* api("GET", "/users/me/", { headers: { authorization: "Token owner-token" } })
        expect(upper.status).toBe(200)
        expect(upper.json.username).toBe("owner")
        expect(upper.headers["x-request-username"]).toBe("owner")
        const bearer = yield* api("GET", "/dandisets/", { headers: { authorization: "Bearer whatever" } })
        expect(bearer.status).toBe(200)
        expect(bearer.headers["x-request-username"]).toBe("AnonymousUser")
        const spaces = yield* api("GET", "/dandisets/", { headers: { authorization: "token a b" } })
        expect(spaces.json).toEqual({ detail: "Invalid token header. Token string should not contain spaces." })
      }))

    it.scoped("applies the permission layer before 404 and 405", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const anonPatch = yield* api("PATCH", "/dandisets/000001/")
        expect(anonPatch.status).toBe(401)
        expect(anonPatch.json).toEqual({ detail: "Authentication credentials were not provided." })
        const unapproved = yield* api("POST", "/dandisets/", { token: "pending-token", body: { name: "x", metadata: {} } })
        expect(unapproved.status).toBe(403)
        expect(unapproved.json).toEqual({ detail: "You do not have permission to perform this action." })
        const patch = yield* api("PATCH", "/dandisets/000001/", { token: "owner-token" })
        expect(patch.status).toBe(405)
        expect(patch.json).toEqual({ detail: "Method \"PATCH\" not allowed." })
        expect(patch.headers.allow).toContain("GET")
      }))

    it.scoped("answers HEAD like GET on viewsets and 405 on function endpoints", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const head = yield* api("HEAD", "/dandisets/")
        expect(head.status).toBe(200)
        expect(head.text).toBe("")
        const get = yield* api("GET", "/dandisets/")
        expect(head.headers["content-length"]).toBe(String(get.bytes.length))
        // No HEAD answer has a body on the wire; the 405 announces its JSON document by type and length.
        const info = yield* api("HEAD", "/info/")
        expect(info.status).toBe(405)
        expect(info.text).toBe("")
        expect(info.headers["content-type"]).toBe("application/json")
        expect(info.headers["content-length"]).toBe(String(utf8(JSON.stringify({ detail: "Method \"HEAD\" not allowed." })).length))
        expect(info.headers.allow).toBe("GET, OPTIONS")
      }))

    it.scoped("lets unapproved users read users/me but not tokens", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const me = yield* api("GET", "/users/me/", { token: "pending-token" })
        expect(me.json).toEqual({ username: "pending", name: "pending", admin: false, status: "PENDING" })
        const token = yield* api("GET", "/auth/token/", { token: "pending-token" })
        expect(token.status).toBe(403)
        const anon = yield* api("GET", "/users/me/")
        expect(anon.status).toBe(401)
      }))

    it.scoped("returns the token as a bare JSON string and rotates it on POST", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const got = yield* api("GET", "/auth/token/", { token: "owner-token" })
        expect(got.json).toBe("owner-token")
        const rotated = yield* api("POST", "/auth/token/", { token: "owner-token" })
        expect(rotated.json).toMatch(/^[0-9a-f]{40}$/)
        const old = yield* api("GET", "/auth/token/", { token: "owner-token" })
        expect(old.status).toBe(401)
      }))

    it.scoped("parses JSON bodies strictly", () =>
      Effect.gen(function*() {
        const { api } = yield* withUsers
        const broken = yield* api("POST", "/dandisets/", {
          token: "owner-token",
          rawBody: new TextEncoder().encode("{nope"),
          headers: { "content-type": "application/json" }
        })
        expect(broken.status).toBe(400)
        expect(broken.json.detail).toMatch(/^JSON parse error - /)
        const media = yield* api("POST", "/uploads/initialize/", {
          token: "owner-token",
          rawBody: new TextEncoder().encode("x"),
          headers: { "content-type": "text/plain" }
        })
        expect(media.status).toBe(415)
        expect(media.json).toEqual({ detail: "Unsupported media type \"text/plain\" in request." })
      }))
  })
}
