/**
 * The WHATWG `URL` parser, which every platform we run on (Node, browsers, workers) provides.
 * Core compiles without DOM or Node typings, so this module types the few members it uses and
 * reaches the constructor through `globalThis`.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 * @category models
 */
export interface WebUrlSearchParams extends Iterable<[string, string]> {
  readonly set: (name: string, value: string) => void
  readonly get: (name: string) => string | null
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WebUrl {
  readonly href: string
  readonly origin: string
  readonly protocol: string
  readonly host: string
  readonly pathname: string
  readonly search: string
  readonly hash: string
  readonly searchParams: WebUrlSearchParams
  toString(): string
}

type WebUrlConstructor = new(url: string, base?: string) => WebUrl

const Constructor = (globalThis as unknown as { readonly URL: WebUrlConstructor }).URL

/**
 * Parses `url` (resolved against `base` when given); undefined when it is not a valid URL.
 *
 * @since 0.1.0
 * @category utils
 */
export const parse = (url: string, base?: string): WebUrl | undefined => {
  try {
    return base === undefined ? new Constructor(url) : new Constructor(url, base)
  } catch {
    return undefined
  }
}
