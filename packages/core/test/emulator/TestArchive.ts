/**
 * A small harness for calling the emulator's handlers directly in tests.
 */
import { Effect, Stream, Chunk } from "effect"
import { Hasher } from "@dandi-effect/core/Hasher"
import * as ArchiveEmulator from "@dandi-effect/core/testing/ArchiveEmulator"
import type { EmulatorRequest, EmulatorResponse } from "@dandi-effect/core/testing/EmulatorHttp"

export const API = "http://archive.test:8123/api"
export const STORAGE = "http://store.test:8124"

export interface Call {
  readonly token?: string
  readonly body?: unknown
  readonly rawBody?: Uint8Array
  readonly headers?: Record<string, string>
}

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly bytes: Uint8Array
  readonly json: any
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const toRequest = (method: string, url: string, call: Call = {}): EmulatorRequest => {
  const headers: Record<string, string> = { ...(call.headers ?? {}) }
  if (call.token !== undefined) headers["authorization"] = `token ${call.token}`
  let body: Uint8Array = call.rawBody ?? new Uint8Array()
  if (call.body !== undefined) {
    body = encoder.encode(JSON.stringify(call.body))
    headers["content-type"] ??= "application/json"
  }
  return { method, url, headers, body }
}

export const read = (response: EmulatorResponse): Effect.Effect<Reply> =>
  Effect.gen(function*() {
    let bytes: Uint8Array = new Uint8Array()
    if (response.body._tag === "Bytes") bytes = response.body.bytes
    if (response.body._tag === "Stream") {
      const chunks = yield* Stream.runCollect(response.body.stream)
      const all = Chunk.toReadonlyArray(chunks)
      bytes = new Uint8Array(all.reduce((n, c) => n + c.length, 0))
      let at = 0
      for (const c of all) {
        bytes.set(c, at)
        at += c.length
      }
    }
    const text = decoder.decode(bytes)
    let json: unknown = undefined
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, bytes, json }
  })

export type Archive = Effect.Effect.Success<typeof makeArchive>

export const makeArchive = Effect.gen(function*() {
  const emulator = yield* ArchiveEmulator.make({ apiUrl: API, storageUrl: STORAGE, webUrl: "https://web.test" })
  const api = (method: string, path: string, call?: Call) =>
    Effect.flatMap(emulator.handleApi(toRequest(method, path.startsWith("http") ? path : `${API}${path}`, call)), read)
  const storage = (method: string, url: string, call?: Call) =>
    Effect.flatMap(emulator.handleStorage(toRequest(method, url, call)), read)
  return { emulator, admin: emulator.admin, api, storage }
}).pipe(Effect.provideService(Hasher, Hasher.portable))

/** Users every suite needs: owner, another approved user, an unapproved user and an admin. */
export const withUsers = Effect.gen(function*() {
  const archive = yield* makeArchive
  yield* archive.admin.addUser({ username: "owner", token: "owner-token", name: "Jane Doe", email: "jane@example.org" })
  yield* archive.admin.addUser({ username: "other", token: "other-token", name: "Sam Other" })
  yield* archive.admin.addUser({ username: "pending", token: "pending-token", approved: false })
  yield* archive.admin.addUser({ username: "root", token: "admin-token", admin: true })
  return archive
})

export const hello = encoder.encode("hello world\n")
export const utf8 = (s: string) => encoder.encode(s)
