// zod issues → estate-file errors: a stable rule name, a message for people, and the line:column to blame.
import type { z } from "zod";
import type { EstateFileError } from "./errors.ts";
import { formatPath, locate, plainSource } from "./source-map.ts";
import type { FieldPath, SourceMap } from "./source-map.ts";

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/**
 * Messages for issues whose schema gives none (a schema's own message, such as "must be 2 to 5 digits",
 * wins over this map); pass it as `safeParse(value, { error: issueMessage })`.
 */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(String(issue.expected))}, not ${describe(issue.input)}`;
    case "too_big":
      return issue.origin === "string" ? `must be at most ${String(issue.maximum)} characters` : `must have at most ${String(issue.maximum)} items`;
    case "too_small":
      if (issue.origin === "string") return issue.minimum === 1 ? "must not be empty" : `must be at least ${String(issue.minimum)} characters`;
      return `must have at least ${String(issue.minimum)} items`;
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      return issue.format === "email" ? "must be an email address such as name@example.com" : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

/** One error per issue, except an unknown-keys issue, which gives one per unknown field, at its key. */
export function issueErrors(issue: Issue, document: unknown, source: SourceMap): EstateFileError[] {
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((k) => at(source, [...issue.path, k], "key", "unknown-field", `unknown field "${k}"`));
  const rule = ruleOf(issue, document);
  return [at(source, issue.path, "value", rule, messageOf(issue, rule, source))];
}

function ruleOf(issue: Issue, document: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return has(document, issue.path) ? "type" : "required";
    case "too_big":
      return issue.origin === "string" ? "too-long" : issue.origin === "array" ? "too-many" : "too-big";
    case "too_small":
      return issue.origin === "string" ? "too-short" : issue.origin === "array" ? "too-few" : "too-small";
    case "invalid_format":
      return issue.format === "regex" ? "pattern" : issue.format;
    case "invalid_value":
      return "one-of";
    case "custom": {
      const rule = (issue.params as { rule?: unknown } | undefined)?.rule;
      return typeof rule === "string" ? rule : "custom";
    }
    default:
      return issue.code.replaceAll("_", "-");
  }
}

function messageOf(issue: Issue, rule: string, source: SourceMap): string {
  // YAML reads 201, 020 and yes-like words as numbers and booleans: say how to keep them text.
  const plain = plainSource(source, issue.path);
  if (issue.code === "invalid_type" && issue.expected === "string" && rule === "type" && plain !== undefined)
    return `${issue.message}: quote it, "${plain}"`;
  return issue.message;
}

function at(source: SourceMap, path: FieldPath, where: "value" | "key", rule: string, message: string): EstateFileError {
  return { ...(locate(source, path, where) ?? { file: source.file }), path: formatPath(path), rule, message };
}

function has(root: unknown, path: FieldPath): boolean {
  let node = root;
  for (const p of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, p)) return false;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node !== undefined;
}

function article(type: string): string {
  const names: Record<string, string> = { string: "text", object: "a mapping", array: "a list", boolean: "true or false", number: "a number" };
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
