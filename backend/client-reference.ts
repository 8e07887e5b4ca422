// Filtering lists by client reference: an exact reference, or every reference that starts with a prefix
// (a provider finds all generations `base`, `base/g2`, … of one resource in one call).
export interface ReferenceFilter {
  /** Comma-separated ids (validated by the route): only these objects. */
  ids?: string | undefined;
  clientReference?: string | undefined;
  clientReferencePrefix?: string | undefined;
}

export function referenceMatches(reference: string | null, filter: ReferenceFilter): boolean {
  if (filter.clientReference !== undefined && reference !== filter.clientReference) return false;
  if (filter.clientReferencePrefix !== undefined && !reference?.startsWith(filter.clientReferencePrefix)) return false;
  return true;
}

/** A LIKE pattern matching strings that start with `prefix` literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
