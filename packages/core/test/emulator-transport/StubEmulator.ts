/**
 * A stand-in for the archive emulator whose handlers the test chooses, so the transport and the
 * front door can be exercised on exact responses (redirects, streams, echoes) independently of
 * the archive's own endpoints.
 */
import { ArchiveEmulator, type ArchiveEmulatorShape } from "@dandi-effect/core/testing/ArchiveEmulator"
import type { EmulatorRequest, EmulatorResponse } from "@dandi-effect/core/testing/EmulatorHttp"
import * as FrontDoor from "@dandi-effect/core/testing/FrontDoor"
import * as InProcessHttp from "@dandi-effect/core/testing/InProcessHttp"
import { Effect, Layer } from "effect"

export const apiUrl = "http://api.stub.test/api"
export const storageUrl = "http://s3.stub.test"
export const webUrl = "http://web.stub.test"

const encoder = new TextEncoder()

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: { _tag: "Bytes", bytes: encoder.encode(JSON.stringify(value)) }
})

/** Answers with what it received, so tests can see the request as the server saw it. */
export const echo = (request: EmulatorRequest): EmulatorResponse =>
  json(200, {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: new TextDecoder().decode(request.body)
  })

export const stub = (
  handleApi: (request: EmulatorRequest) => EmulatorResponse,
  handleStorage: (request: EmulatorRequest) => EmulatorResponse = handleApi
): ArchiveEmulatorShape => ({
  options: { apiUrl, storageUrl, webUrl },
  handleApi: (request) => Effect.sync(() => handleApi(request)),
  handleStorage: (request) => Effect.sync(() => handleStorage(request)),
  admin: undefined as never
})

export const clientLayer = (emulator: ArchiveEmulatorShape, options: FrontDoor.FrontDoorOptions = {}) =>
  InProcessHttp.layerFrontDoor.pipe(
    Layer.provideMerge(FrontDoor.layer(options)),
    Layer.provideMerge(Layer.succeed(ArchiveEmulator, emulator))
  )
