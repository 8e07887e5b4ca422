/**
 * Values a user or the portal controls, made safe for the medium they are written to: a terminal or CI log
 * (control characters shown as escapes, so none can clear a screen or retitle a window) and Markdown for a
 * pull-request comment (every value in a code span, so no HTML, link, mention or table break becomes live).
 */

/**
 * What a terminal would act on or a reader would misread: C0 and C1 controls, DEL, bidirectional controls,
 * zero-width and line/paragraph separators, the byte-order mark, and unpaired surrogates.
 */
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2069\uFEFF]|\p{Cs}/gu; // eslint-disable-line no-control-regex -- finding them is the point

/** `text` with every such character written as a `\uXXXX` escape. */
export function visible(text: string): string {
  return text.replace(
    INVISIBLE,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/** Each line of a text report made visible (the report's own line breaks stay). */
export function visibleLines(lines: readonly string[]): string[] {
  return lines.map(visible);
}

/**
 * `text` as a Markdown code span that renders exactly `text` (made visible): the fence is one backtick longer
 * than the longest run of backticks in it, padded when it starts or ends with one.
 */
export function inlineCode(text: string): string {
  const shown = visible(text);
  const longestRun = Math.max(0, ...[...shown.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longestRun + 1);
  const padded = shown.startsWith("`") || shown.endsWith("`") || shown === "" ? ` ${shown} ` : shown;
  return `${fence}${padded}${fence}`;
}

/** The same code span for a table cell, where GitHub's tables need `|` escaped even inside a code span. */
export function cellCode(text: string): string {
  return inlineCode(text).replaceAll("|", "\\|");
}
