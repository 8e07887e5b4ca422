// Bounds on what the loader accepts, so a hostile or mistaken file fails fast instead of eating memory.
// An estate of 10,000 users takes about 1.5 MB of YAML in total; these leave room without inviting abuse.

/** Per file, checked before reading; a 1 MiB file holds several thousand users. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** All files of an estate together: parsed documents are kept until the estate is assembled. */
export const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** Files per estate, after expanding directories. */
export const MAX_FILES = 1000;

/** YAML documents (`---`) per file. */
export const MAX_DOCUMENTS_PER_FILE = 100;

/**
 * Collection nesting. The deepest legal value sits at depth 6 (document → spec → users → user → devices →
 * device); 16 leaves room for a mistake to reach the schema, which explains it better than this limit.
 */
export const MAX_DEPTH = 16;
