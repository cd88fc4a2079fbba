/**
 * Django REST framework's field validation as the archive's serializers apply it: the coercions
 * and messages of `CharField`, `UUIDField` and nested serializers, so the emulator's 400 bodies
 * have the server's shapes (a nested serializer's errors stay nested, a list serializer's errors
 * line up with its items).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { isRecord } from "effect/Predicate"

/** What DRF reports for one field: messages, or the errors of a nested serializer. */
export type ErrorDetail = ReadonlyArray<string> | { readonly [field: string]: ErrorDetail }

/** A serializer's errors by field name, as the 400 body carries them. */
export type FieldErrors = Record<string, ErrorDetail>

export const REQUIRED = ["This field is required."] as const
export const NOT_NULL = ["This field may not be null."] as const
export const NOT_BLANK = ["This field may not be blank."] as const

/**
 * Python's whitespace (`str.isspace()`), which `str.strip()` removes: it includes \x1c–\x1f and
 * \x85 but not \ufeff, unlike JavaScript's `\s`.
 */
export const PY_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"

const edges = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, "g")

/** Python's `str.strip()`. */
export const pyStrip = (text: string): string => text.replace(edges, "")

/** The Python type name DRF puts in its messages for a JSON value. */
export const pyTypeName = (value: unknown): string => {
  if (value === null) return "NoneType"
  if (value === undefined) return "dict" // an empty request body parses as {}
  if (typeof value === "boolean") return "bool"
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float"
  if (typeof value === "string") return "str"
  if (Array.isArray(value)) return "list"
  return "dict"
}

/**
 * `CharField` (trim_whitespace=True): numbers are taken as their text, other non-strings refused,
 * surrounding whitespace removed before the blank check and the validators.
 */
export const charField = (
  value: unknown,
  options: { readonly allowBlank?: boolean; readonly validate?: (text: string) => string | undefined } = {}
): Either.Either<string, ErrorDetail> => {
  if (value === undefined) return Either.left(REQUIRED)
  if (value === null) return Either.left(NOT_NULL)
  if (typeof value !== "string" && typeof value !== "number") return Either.left(["Not a valid string."])
  const text = pyStrip(String(value))
  if (text === "") return options.allowBlank === true ? Either.right("") : Either.left(NOT_BLANK)
  const problem = options.validate?.(text)
  return problem === undefined ? Either.right(text) : Either.left([problem])
}

/**
 * `IntegerField`: Python's `int()` of the value's text after a `.0…` tail is dropped (so `"12"`,
 * `" 12 "`, `"1_000"` and `12.0` are integers, `true` and `1.5` are not), then the bounds.
 */
export const integerField = (
  value: unknown,
  bounds: { readonly min?: number; readonly max?: number } = {}
): Either.Either<number, ErrorDetail> => {
  if (value === undefined) return Either.left(REQUIRED)
  if (value === null) return Either.left(NOT_NULL)
  if (typeof value === "string" && value.length > 1000) return Either.left(["String value too large."])
  const text = typeof value === "number" || typeof value === "string" ? String(value).replace(/\.0*\s*$/, "") : ""
  const integer = new RegExp(`^[${PY_WHITESPACE}]*([+-]?\\d+(?:_\\d+)*)[${PY_WHITESPACE}]*$`).exec(text)
  if (integer === null) return Either.left(["A valid integer is required."])
  const n = Number(integer[1]!.replaceAll("_", ""))
  if (bounds.min !== undefined && n < bounds.min) return Either.left([`Ensure this value is greater than or equal to ${bounds.min}.`])
  if (bounds.max !== undefined && n > bounds.max) return Either.left([`Ensure this value is less than or equal to ${bounds.max}.`])
  return Either.right(n)
}

/** Django's `UnicodeUsernameValidator` (`^[\w.@+-]+\Z` with Python's Unicode `\w`). */
export const unicodeUsername = (text: string): string | undefined =>
  /^[\p{L}\p{N}_.@+-]+$/u.test(text)
    ? undefined
    : "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."

const INVALID_UUID = ["Must be a valid UUID."] as const

const formatUuid = (n: bigint): string => {
  const hex = n.toString(16).padStart(32, "0")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * `UUIDField`: a string as Python's `uuid.UUID(hex=…)` reads it (`urn:`/`uuid:` and braces
 * dropped, hyphens anywhere, 32 hex digits), an integer (a JSON boolean is one to Python) as
 * `uuid.UUID(int=…)`. Answers the canonical lower-case form.
 */
export const uuidField = (value: unknown): Either.Either<string, ErrorDetail> => {
  if (value === undefined) return Either.left(REQUIRED)
  if (value === null) return Either.left(NOT_NULL)
  if (typeof value === "boolean") return Either.right(formatUuid(value ? 1n : 0n))
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? Either.right(formatUuid(BigInt(value))) : Either.left(INVALID_UUID)
  }
  if (typeof value !== "string") return Either.left(INVALID_UUID)
  const hex = value.replaceAll("urn:", "").replaceAll("uuid:", "").replace(/^[{}]+|[{}]+$/g, "").replaceAll("-", "")
  if (Array.from(hex).length !== 32) return Either.left(INVALID_UUID)
  // int(hex, 16): surrounding whitespace, a "+" sign, a 0x prefix and single underscores between digits
  const digits = /^\+?(?:0x_?)?([0-9a-f]+(?:_[0-9a-f]+)*)$/i.exec(pyStrip(hex))
  if (digits === null) return Either.left(INVALID_UUID)
  return Either.right(formatUuid(BigInt(`0x${digits[1]!.replaceAll("_", "")}`)))
}

/**
 * A nested serializer field: `null` is refused, anything but an object is a non-field error
 * naming its Python type; an object is handed to `fields`, whose errors stay nested.
 */
export const nested = <A>(
  value: unknown,
  fields: (object: Record<string, unknown>) => Either.Either<A, FieldErrors>
): Either.Either<A, ErrorDetail> => {
  if (value === undefined) return Either.left(REQUIRED)
  if (value === null) return Either.left(NOT_NULL)
  if (!isRecord(value)) {
    return Either.left({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyTypeName(value)}.`] })
  }
  return fields(value)
}

/** Collects one field's outcome into `errors`; answers the value when it is valid. */
export const collect = <A>(errors: FieldErrors, name: string, result: Either.Either<A, ErrorDetail>): A | undefined =>
  Either.match(result, {
    onLeft: (detail) => {
      errors[name] = detail
      return undefined
    },
    onRight: (value) => value
  })
