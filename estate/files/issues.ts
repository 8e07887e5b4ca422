// zod issues → estate-file errors: the shared rule names, a message for people, and the line:column to blame.
import type { z } from "zod";
import { fieldIssues } from "../../schemas/field-issues.ts";
import type { FieldIssue } from "../../schemas/field-issues.ts";
import type { EstateFileError } from "./errors.ts";
import { formatPath, locate, plainSource } from "./source-map.ts";
import type { SourceMap } from "./source-map.ts";

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/**
 * Messages for issues whose schema gives none (a schema's own message, such as "must be 2 to 5 digits",
 * wins over this map); pass it as `safeParse(value, { error: issueMessage })`.
 */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? "is required"
        : `must be ${article(String(issue.expected))}, not ${describe(issue.input)}`;
    case "too_big":
      return issue.origin === "string"
        ? `must be at most ${String(issue.maximum)} characters`
        : `must have at most ${String(issue.maximum)} items`;
    case "too_small":
      if (issue.origin === "string")
        return issue.minimum === 1 ? "must not be empty" : `must be at least ${String(issue.minimum)} characters`;
      return `must have at least ${String(issue.minimum)} items`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      return issue.format === "email"
        ? "must be an email address such as name@example.com"
        : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

/**
 * The estate-file errors of a document's zod issues: the field issues every edge shares
 * (schemas/field-issues.ts), each at the line:column of its value, or of its key for an unknown field.
 */
export function issueErrors(issues: readonly Issue[], document: unknown, source: SourceMap): EstateFileError[] {
  return fieldIssues(issues, { value: document }).map((issue) => ({
    ...(locate(source, issue.path, issue.at) ?? { file: source.file }),
    path: formatPath(issue.path),
    rule: issue.rule,
    message: messageOf(issue, source),
  }));
}

/** YAML reads 201, 020 and yes-like words as numbers and booleans: says how to keep them text. */
function messageOf({ path, rule, message, issue }: FieldIssue, source: SourceMap): string {
  const plain = plainSource(source, path);
  const textExpected = issue.code === "invalid_type" && issue.expected === "string";
  return textExpected && rule === "type" && plain !== undefined ? `${message}: quote it, "${plain}"` : message;
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: "text",
    object: "a mapping",
    array: "a list",
    boolean: "true or false",
    number: "a number",
  };
  return names[type] ?? `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "text";
  if (typeof value === "boolean") return "true or false";
  return `a ${typeof value}`;
}
