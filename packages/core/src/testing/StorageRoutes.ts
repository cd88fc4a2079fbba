/**
 * The object-store origin (S3 semantics): presigned URL checks, UploadPart, Complete-
 * MultipartUpload, zarr object PUT with Content-MD5, and GET/HEAD with ranges. Errors are S3's
 * XML documents. Open data may also be read without a signature, as from the public bucket.
 *
 * @since 0.1.0
 */
import * as Encoding from "effect/Encoding"
import * as Stream from "effect/Stream"
import type { Env } from "./ArchiveState.js"
import type { EmulatorRequest, EmulatorResponse } from "./EmulatorHttp.js"
import * as ObjectStore from "./ObjectStore.js"
import * as Presign from "./Presign.js"
import * as RequestUrl from "./RequestUrl.js"
import * as Responses from "./Responses.js"
import * as ServerDigests from "./ServerDigests.js"
import * as Utf8 from "./Utf8.js"

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

export const s3Error = (status: number, code: string, message: string, extra: Record<string, string> = {}): EmulatorResponse =>
  Responses.text(
    status,
    "application/xml",
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${
      Object.entries(extra).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join("")
    }<RequestId>EMULATOR</RequestId></Error>`
  )

const httpDate = (ms: number) => new Date(ms).toUTCString()

type Range = { readonly start: number; readonly end: number } | "unsatisfiable" | undefined

/** A single `bytes=` range; multi-range and malformed headers are ignored, as S3 does. */
const parseRange = (header: string | undefined, size: number): Range => {
  if (header === undefined) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === "" && m[2] === "")) return undefined
  if (m[1] === "") {
    const suffix = parseInt(m[2]!, 10)
    if (suffix === 0) return "unsatisfiable"
    return size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = parseInt(m[1]!, 10)
  const end = m[2] === "" ? size - 1 : Math.min(parseInt(m[2]!, 10), size - 1)
  if (m[2] !== "" && parseInt(m[2]!, 10) < start) return undefined
  if (start >= size) return "unsatisfiable"
  return { start, end }
}

const serveObject = (
  request: EmulatorRequest,
  url: RequestUrl.RequestUrl,
  object: ObjectStore.StoredObject
): EmulatorResponse => {
  const headers: Record<string, string> = {
    "accept-ranges": "bytes",
    etag: `"${object.etag}"`,
    "last-modified": httpDate(object.lastModified),
    "content-type": RequestUrl.param(url, "response-content-type") ?? object.contentType ?? "binary/octet-stream"
  }
  const disposition = RequestUrl.param(url, "response-content-disposition")
  if (disposition !== undefined) headers["content-disposition"] = disposition
  const range = parseRange(request.headers["range"], object.size)
  if (range === "unsatisfiable") {
    return {
      ...s3Error(416, "InvalidRange", "The requested range is not satisfiable", {
        RangeRequested: request.headers["range"] ?? "",
        ActualObjectSize: String(object.size)
      }),
      headers: { "content-type": "application/xml", "content-range": `bytes */${object.size}` }
    }
  }
  const start = range?.start ?? 0
  const length = range === undefined ? object.size : range.end - range.start + 1
  if (range !== undefined) headers["content-range"] = `bytes ${range.start}-${range.end}/${object.size}`
  headers["content-length"] = String(length)
  const isHead = request.method.toUpperCase() === "HEAD"
  return {
    status: range === undefined ? 200 : 206,
    headers,
    body: isHead || length === 0
      ? { _tag: "Empty" }
      : { _tag: "Stream", length, stream: ObjectStore.readRange(object.content, start, length) as Stream.Stream<Uint8Array> }
  }
}

const partsFromXml = (xml: string): Array<{ partNumber: number; etag: string }> | undefined => {
  if (!/<CompleteMultipartUpload[\s>]/.test(xml)) return undefined
  const parts: Array<{ partNumber: number; etag: string }> = []
  for (const m of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const n = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]!)
    const e = /<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]!)
    if (n === null || e === null) return undefined
    parts.push({ partNumber: parseInt(n[1]!, 10), etag: e[1]!.replace(/&quot;/g, "\"").replace(/"/g, "").trim() })
  }
  return parts
}

const completeMultipart = (env: Env, key: string, uploadId: string, body: Uint8Array, now: number): EmulatorResponse => {
  const store = env.state.store
  const upload = store.multipart.get(uploadId)
  if (upload === undefined || upload.key !== key) {
    return s3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", { UploadId: uploadId })
  }
  const parts = partsFromXml(Utf8.decode(body))
  if (parts === undefined || parts.length === 0) {
    return s3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
  }
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) {
      return s3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
    }
  }
  const chunks: Array<Uint8Array> = []
  for (const part of parts) {
    const stored = upload.parts.get(part.partNumber)
    if (stored === undefined || stored.md5 !== part.etag) {
      return s3Error(400, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.", { UploadId: uploadId, PartNumber: String(part.partNumber), ETag: part.etag })
    }
    chunks.push(stored.bytes)
  }
  const etag = ServerDigests.multipartEtag(env.hasher, parts.map((p) => p.etag))
  ObjectStore.put(store, { key, content: { _tag: "Chunks", chunks }, etag, lastModified: now, embargoed: upload.embargoed })
  store.multipart.delete(uploadId)
  return Responses.text(
    200,
    "application/xml",
    `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${
      xmlEscape(`${env.storageUrl}/${env.bucket}/${key}`)
    }</Location><Bucket>${env.bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`
  )
}

export const handle = (env: Env, request: EmulatorRequest, now: number): EmulatorResponse => {
  const store = env.state.store
  const url = RequestUrl.parse(request.url)
  const method = request.method.toUpperCase()
  if (request.headers["authorization"] !== undefined) {
    return s3Error(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified", { ArgumentName: "Authorization", ArgumentValue: "<redacted>" })
  }
  const bucketPrefix = `/${env.bucket}/`
  if (!url.path.startsWith(bucketPrefix)) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist")
  const key = url.path.slice(bucketPrefix.length)
  const verdict = Presign.verify(env.hasher, env.signingKey, { method, path: url.path, query: url.query, headers: request.headers }, now)
  switch (verdict._tag) {
    case "Malformed":
      return s3Error(400, "AuthorizationQueryParametersError", verdict.message)
    case "Mismatch":
      return s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
    case "Expired":
      return s3Error(403, "AccessDenied", "Request has expired")
    case "Unsigned": {
      const object = store.objects.get(key)
      if ((method === "GET" || method === "HEAD") && object !== undefined && !object.embargoed) return serveObject(request, url, object)
      return s3Error(403, "AccessDenied", "Access Denied")
    }
    case "Valid":
      break
  }
  const uploadId = RequestUrl.param(url, "uploadId")
  if (method === "PUT" && uploadId !== undefined) {
    const upload = store.multipart.get(uploadId)
    const partNumber = parseInt(RequestUrl.param(url, "partNumber") ?? "", 10)
    if (upload === undefined || upload.key !== key) {
      return s3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", { UploadId: uploadId })
    }
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
      return s3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
    }
    const md5 = ServerDigests.md5Hex(env.hasher, request.body)
    upload.parts.set(partNumber, { bytes: request.body, md5 })
    return Responses.empty(200, { etag: `"${md5}"` })
  }
  if (method === "POST" && uploadId !== undefined) return completeMultipart(env, key, uploadId, request.body, now)
  if (method === "PUT") {
    const md5 = ServerDigests.md5Hex(env.hasher, request.body)
    const contentMd5 = request.headers["content-md5"]
    if (contentMd5 !== undefined) {
      const md5Base64 = Encoding.encodeBase64(new Uint8Array(md5.match(/../g)!.map((h) => parseInt(h, 16))))
      if (contentMd5 !== md5Base64) {
        return s3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", {
          ExpectedDigest: contentMd5,
          CalculatedDigest: md5Base64
        })
      }
    }
    ObjectStore.put(store, {
      key,
      content: { _tag: "Bytes", bytes: request.body },
      etag: md5,
      lastModified: now,
      contentType: request.headers["content-type"],
      embargoed: request.headers["x-amz-tagging"] === "embargoed=true"
    })
    return Responses.empty(200, { etag: `"${md5}"` })
  }
  if (method === "GET" || method === "HEAD") {
    const object = store.objects.get(key)
    if (object === undefined) {
      return method === "HEAD"
        ? Responses.empty(404, { "content-type": "application/xml" })
        : s3Error(404, "NoSuchKey", "The specified key does not exist.", { Key: key })
    }
    return serveObject(request, url, object)
  }
  return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
}
