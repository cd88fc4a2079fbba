/**
 * Runs in the page before each test file. A failing Effect test reports an error that carries its
 * span, whose timestamps are BigInts; vitest sends failure reports from the page to Node as JSON,
 * and JSON.stringify throws on BigInts ("Do not know how to serialize a BigInt"), so the report of
 * the failing test would be replaced by that error. Serialize them as decimal strings instead.
 */
declare global {
  interface BigInt {
    toJSON(): string
  }
}

BigInt.prototype.toJSON = function(this: bigint) {
  return this.toString()
}

export {}
