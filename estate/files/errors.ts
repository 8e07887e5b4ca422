// The one error shape of the estate-file loader, its text form and its order.
import type { SourceLocation } from "../../schemas/estate.ts";
import type { EstateFileRule } from "../../schemas/problem.ts";

/** One problem in the estate files. Whole-file problems (too large, not UTF-8) have no line and column. */
export interface EstateFileError {
  /** The file as given to the loader (or found in a given directory); absent for estate-wide problems. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based, in characters. */
  column?: number;
  /** Field path inside the document, e.g. `spec.users[2].devices[0].name`; empty for file-level problems. */
  path: string;
  /** Stable rule name for tools and tests (schemas/problem.ts lists them): `pattern`, `required`, `unknown-field`, `duplicate-key`, … */
  rule: EstateFileRule;
  message: string;
  /** The other place involved, e.g. where a duplicated key was first declared. */
  related?: SourceLocation;
}

export function formatLocation(l: { file?: string; line?: number; column?: number }): string {
  const file = l.file ?? "estate";
  return l.line === undefined ? file : `${file}:${l.line}:${l.column ?? 1}`;
}

/** `path/file.yaml:12:7: spec.users[0].extension: must be 2 to 5 digits (rule: pattern)` */
export function formatError(e: EstateFileError): string {
  return `${formatLocation(e)}: ${e.path === "" ? "" : `${e.path}: `}${e.message} (rule: ${e.rule})`;
}

/** Estate-wide problems first, then by file, line, column, path and rule: the same files give the same list. */
export function compareErrors(a: EstateFileError, b: EstateFileError): number {
  return (
    compareText(a.file ?? "", b.file ?? "") ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    compareText(a.path, b.path) ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
