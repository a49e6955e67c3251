import { invalidParameter } from './errors.js';

/**
 * Unity Catalog object names (https://docs.databricks.com/sql/language-manual/sql-ref-names.html): at most 255
 * characters; no period, space, forward slash, ASCII control characters (00-1F) or DELETE (7F); stored lower-case,
 * so names compare case-insensitively (TF suppresses case-only diffs with `EqualFoldDiffSuppress`).
 * The error wording is [inferred].
 */
export function normalizeObjectName(name: unknown, what: 'connection' | 'catalog' | 'new_name'): string {
  if (typeof name !== 'string' || name.length === 0)
    throw invalidParameter(`${what} name must be a non-empty string.`);
  if (name.length > 255)
    throw invalidParameter(`Invalid ${what} name '${name}': longer than 255 characters.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what UC forbids.
  if (/[. /\u0000-\u001f\u007f]/.test(name)) {
    throw invalidParameter(
      `Invalid ${what} name '${name}': names cannot contain '.', ' ', '/', or ASCII control characters.`,
    );
  }
  return name.toLowerCase();
}
