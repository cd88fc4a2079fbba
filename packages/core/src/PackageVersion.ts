/**
 * The version of dandi-effect, sent in the User-Agent as `dandi-effect/<version>`.
 *
 * @since 0.1.0
 */
/**
 * @since 0.1.0
 * @category constants
 */
export const packageVersion = "0.1.0"
