/**
 * @dandi-effect/node — Node.js layers for dandi-effect.
 *
 * @since 0.1.0
 */
export {}
