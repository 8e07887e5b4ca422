// Typed errors, classified once: every error the backend raises becomes one RFC 9457 problem document.
import type { z } from "zod";
import { fieldIssues } from "../schemas/field-issues.ts";
import type { FieldRule, Holder, ProblemField } from "../schemas/problem.ts";

export interface ProblemExtras {
  fields?: ProblemField[];
  holders?: z.infer<typeof Holder>[];
  [key: string]: unknown;
}

/** An error the API answers with a problem document: HTTP status, stable code, human detail. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extras: ProblemExtras;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    detail: string,
    extras: ProblemExtras = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.extras = extras;
    this.headers = headers;
  }
}

export const notFound = (kind: string, id: string): ApiError =>
  new ApiError(404, "not-found", `${kind} ${id} does not exist in this account`);

export const invalidField = (path: string, rule: FieldRule, message: string, code = "validation-failed"): ApiError =>
  new ApiError(422, code, `${path}: ${message}`, { fields: [{ path, rule, message }] });

export const conflict = (code: string, detail: string, extras: ProblemExtras = {}): ApiError =>
  new ApiError(409, code, detail, extras);

export const preconditionFailed = (kind: string, id: string, current: number): ApiError =>
  new ApiError(412, "version-mismatch", `${kind} ${id} is at version ${current}; re-read it and retry`, {
    currentVersion: current,
  });

/**
 * Turns zod issues into the problem document's `fields`, one per offending field (unknown keys one each).
 * `input`, the value parsed, tells a missing field from a mistyped one (see schemas/field-issues.ts).
 */
export function zodFields(issues: readonly z.core.$ZodIssue[], input: { value: unknown }): ProblemField[] {
  return fieldIssues(issues, input).map(({ path, rule, message }) => ({
    path: path.map(String).join(".") || "(body)",
    rule,
    message,
  }));
}

export function validationError(
  issues: readonly z.core.$ZodIssue[],
  where: string,
  input: { value: unknown },
): ApiError {
  const fields = zodFields(issues, input);
  const first = fields[0];
  return new ApiError(422, "validation-failed", `invalid ${where}${first ? `: ${first.path}: ${first.message}` : ""}`, {
    fields,
  });
}
