/** The version of dandi-effect, sent in the User-Agent as `dandi-effect/<version>`. */
export const packageVersion = "0.1.0"
