/**
 * @dandi-effect/browser — browser layers for dandi-effect.
 *
 * @since 0.1.0
 */
export {}
