/**
 * Wording helpers shared by the records and the facade's implementation.
 *
 * @internal
 */

/** Python `repr` of a string, for messages worded like dandi-cli's. */
export const pyRepr = (text: string): string =>
  text.includes("'") && !text.includes("\"") ? `"${text}"` : `'${text.replace(/'/g, "\\'")}'`
