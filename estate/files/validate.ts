// One parsed document → a typed Estate or UserGroup document, or errors located in its file.
import type { EstateFileRule } from "../../schemas/problem.ts";
import { DOCUMENT_KINDS, EstateDocument, SUPPORTED_API_VERSIONS, UserGroupDocument } from "../../schemas/estate.ts";
import type { DocumentKind } from "../../schemas/estate.ts";
import type { EstateFileError } from "./errors.ts";
import { issueErrors, issueMessage } from "./issues.ts";
import type { ParsedDocument } from "./parse.ts";
import { formatPath, locate } from "./source-map.ts";

export type ValidatedDocument =
  | { kind: "Estate"; parsed: ParsedDocument; document: EstateDocument | null }
  | { kind: "UserGroup"; parsed: ParsedDocument; document: UserGroupDocument | null };

export interface ValidationResult {
  /** Absent when the kind itself is unknown; `document` is null when the document has errors. */
  validated?: ValidatedDocument;
  errors: EstateFileError[];
}

export function validateDocument(parsed: ParsedDocument): ValidationResult {
  const { value, source } = parsed;
  const error = (path: string[], rule: EstateFileRule, message: string): EstateFileError => ({
    ...(locate(source, path) ?? { file: source.file }),
    path: formatPath(path),
    rule,
    message,
  });

  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { errors: [error([], "type", "a document must be a mapping with apiVersion, kind, metadata and spec")] };
  const header = value as { apiVersion?: unknown; kind?: unknown };

  const errors: EstateFileError[] = [];
  const supported = SUPPORTED_API_VERSIONS.join(", ");
  if (header.apiVersion === undefined)
    errors.push(error(["apiVersion"], "required", `is required; supported: ${supported}`));
  else if (typeof header.apiVersion !== "string" || !SUPPORTED_API_VERSIONS.includes(header.apiVersion))
    errors.push(
      error(
        ["apiVersion"],
        "unsupported-api-version",
        `${JSON.stringify(header.apiVersion)} is not supported; supported: ${supported}`,
      ),
    );

  const kinds = DOCUMENT_KINDS.join(" or ");
  if (header.kind === undefined) return { errors: [...errors, error(["kind"], "required", `is required: ${kinds}`)] };
  if (!isKind(header.kind))
    return {
      errors: [
        ...errors,
        error(["kind"], "unknown-kind", `${JSON.stringify(header.kind)} is not a known kind; known kinds: ${kinds}`),
      ],
    };
  // A document of a known kind but unreadable version still counts as that kind, so "no Estate" is not reported too.
  if (errors.length > 0) return { validated: { kind: header.kind, parsed, document: null }, errors };

  if (header.kind === "Estate") {
    const r = EstateDocument.safeParse(value, { error: issueMessage });
    if (r.success) return { validated: { kind: "Estate", parsed, document: r.data }, errors: [] };
    return {
      validated: { kind: "Estate", parsed, document: null },
      errors: issueErrors(r.error.issues, value, source),
    };
  }
  const r = UserGroupDocument.safeParse(value, { error: issueMessage });
  if (r.success) return { validated: { kind: "UserGroup", parsed, document: r.data }, errors: [] };
  return {
    validated: { kind: "UserGroup", parsed, document: null },
    errors: issueErrors(r.error.issues, value, source),
  };
}

function isKind(kind: unknown): kind is DocumentKind {
  return typeof kind === "string" && (DOCUMENT_KINDS as readonly string[]).includes(kind);
}
