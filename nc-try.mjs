import { DandiApi } from "@dandi-effect/core"
import { NodeDandi } from "@dandi-effect/node"
import { Effect, Cause } from "effect"
const program = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  yield* api.dandiAuthenticate({ required: true })
  const me = yield* api.getDandiset("000001")
  console.log("OK", me.identifier)
  const d = yield* api.createDandiset("x", {})
  console.log("created", d.identifier)
})
const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(NodeDandi.layerConfig())))
console.log(exit._tag, exit._tag === "Failure" ? JSON.stringify(Cause.pretty(exit.cause).split("\n")[0]) : "")
