/**
 * asReadable over loopback: the file object, the Readable and the file-handle adapter read the
 * right bytes with ranged requests, no token goes to storage, and an expired URL is renewed.
 */
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { ArchiveAdmin } from "@dandi-effect/core/testing/EmulatorAdmin"
import { deterministicBytes } from "@dandi-effect/core/testing/DeterministicBytes"
import * as NodeReadable from "@dandi-effect/node/NodeReadable"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { archive, storageRequests } from "./LoopbackDownload.js"

const size = 3 * 1024 * 1024 + 17
const expected = Buffer.from(deterministicBytes(4, 0, size))
const path = "sub-1/sub-1.nwb"

const seedOne = (admin: ArchiveAdmin) =>
  Effect.gen(function*() {
    yield* admin.addUser({ username: "owner", token: "owner-token" })
    yield* admin.createDandiset({ identifier: "000001", name: "readable", owners: ["owner"] })
    yield* admin.addBlobAsset("000001", path, { _tag: "Generated", size, seed: 4 })
  })

const open = Effect.gen(function*() {
  const api = yield* DandiApi.DandiApi
  const asset = yield* Effect.flatMap(api.getDandiset("000001", "draft"), (d) => d.getAssetByPath(path))
  return yield* NodeReadable.asReadable(asset, { blockSize: 256 * 1024 })
})

describe("NodeReadable.asReadable", () => {
  it.scopedLive("open, read 4 at 0, seek to 100, read 4; only ranges are requested, without a token", () =>
    Effect.gen(function*() {
      const readable = yield* open
      expect(readable.size).toBe(size)
      expect(readable.name).toBe("sub-1.nwb")
      const fp = readable.open()
      expect(Buffer.from(yield* fp.read(4))).toEqual(expected.subarray(0, 4))
      fp.seek(100)
      expect(Buffer.from(yield* fp.read(4))).toEqual(expected.subarray(100, 104))
      expect(fp.tell()).toBe(104)
      const sent = yield* storageRequests
      expect(sent).toEqual([{ method: "GET", range: `bytes=0-${256 * 1024 - 1}`, authorization: undefined, at: expect.any(Number) }])
    }).pipe(Effect.provide(archive(seedOne))))

  it.scopedLive("a Readable from an offset, and the file-handle adapter, read the right bytes; an expired URL is renewed", () =>
    Effect.gen(function*() {
      const readable = yield* open
      const streamed = yield* Effect.promise(async () => {
        const parts: Array<Buffer> = []
        for await (const chunk of readable.createReadStream({ start: 1_000_000 })) parts.push(chunk as Buffer)
        return Buffer.concat(parts)
      })
      expect(Buffer.compare(streamed, expected.subarray(1_000_000))).toBe(0)
      const handle = readable.fileHandle()
      const buffer = Buffer.alloc(10)
      const { bytesRead } = yield* Effect.promise(() => handle.read(buffer, 2, 8, size - 8))
      expect(bytesRead).toBe(8)
      expect(buffer.subarray(2)).toEqual(expected.subarray(size - 8))
      expect((yield* Effect.promise(() => handle.stat())).size).toBe(size)
    }).pipe(Effect.provide(archive(seedOne, {
      rules: [{ target: "s3", method: "GET", pathPrefix: "/dandiarchive/blobs/", action: "expire", times: 1 }]
    }))))
})
