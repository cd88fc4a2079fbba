/**
 * Hashes of byte ranges of one stream. The planner turns each fed piece into update
 * instructions (which hash, which slice of the piece) and says which hashes are complete, so an
 * executor — inline here, a worker thread on Node — only creates, updates and digests: the
 * range arithmetic lives in one place whatever thread does the hashing.
 *
 * @internal
 */

/** Structural copies of Hasher's types: Hasher imports this module, so importing it back would make a cycle. */
interface Spec {
  readonly algorithm: string
  readonly start: number
  readonly end: number
}

interface Hash {
  readonly update: (chunk: Uint8Array) => void
  readonly digest: () => Uint8Array
}

/** The instructions for one fed piece: `updates` as flat triples `[spec, from, to, …]` into the piece. */
export interface Step {
  readonly updates: Array<number>
  /** Specs whose range ended within this piece: digest them now. */
  readonly complete: Array<number>
}

export interface Planner {
  /** The instructions for the next `length` bytes of the stream. */
  readonly advance: (length: number) => Step
}

export const planner = (specs: ReadonlyArray<Spec>): Planner => {
  // By start, so the active set only ever grows at its end and specs are visited once.
  const order = specs.map((_, index) => index).sort((a, b) => specs[a]!.start - specs[b]!.start)
  let next = 0
  let active: Array<number> = []
  let position = 0
  return {
    advance: (length) => {
      const from = position
      const to = position + length
      position = to
      while (next < order.length && specs[order[next]!]!.start < to) active.push(order[next++]!)
      const updates: Array<number> = []
      const complete: Array<number> = []
      const still: Array<number> = []
      for (const index of active) {
        const spec = specs[index]!
        const start = Math.max(spec.start, from)
        const end = Math.min(spec.end, to)
        if (end > start) updates.push(index, start - from, end - from)
        if (spec.end <= to) complete.push(index)
        else still.push(index)
      }
      active = still
      return { updates, complete }
    }
  }
}

/** Creates, updates and digests hashes as a planner's steps say; what no byte reached digests empty. */
export const executor = <A extends string>(create: (algorithm: A) => Hash, algorithms: ReadonlyArray<A>) => {
  const hashes: Array<Hash | undefined> = []
  const digests: Array<Uint8Array | undefined> = []
  const hashOf = (index: number) => hashes[index] ??= create(algorithms[index]!)
  const finish = (index: number) => {
    if (digests[index] !== undefined) return
    digests[index] = hashOf(index).digest()
    hashes[index] = undefined
  }
  return {
    apply: (piece: Uint8Array, step: Step) => {
      const updates = step.updates
      for (let i = 0; i < updates.length; i += 3) {
        const from = updates[i + 1]!
        const to = updates[i + 2]!
        hashOf(updates[i]!).update(from === 0 && to === piece.length ? piece : piece.subarray(from, to))
      }
      for (const index of step.complete) finish(index)
    },
    digests: (): ReadonlyArray<Uint8Array> => algorithms.map((_, index) => {
      finish(index)
      return digests[index]!
    })
  }
}

/** Hashing on the calling thread, as each piece is fed. */
export const inline = <A extends string>(create: (algorithm: A) => Hash, specs: ReadonlyArray<Spec & { readonly algorithm: A }>): {
  readonly feed: (chunk: Uint8Array) => void
  readonly digests: () => ReadonlyArray<Uint8Array>
} => {
  const plan = planner(specs)
  const run = executor(create, specs.map((spec) => spec.algorithm))
  return {
    feed: (chunk) => run.apply(chunk, plan.advance(chunk.length)),
    digests: run.digests
  }
}
