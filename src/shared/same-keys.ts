/**
 * Whether two key lists are the same, in order. Property names are internalized strings, so for the common
 * case (the same call site logging again) this is a few pointer comparisons: the check behind the one-entry
 * shape memos of the record encoder and the redactor. Isomorphic: no Node imports.
 */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
