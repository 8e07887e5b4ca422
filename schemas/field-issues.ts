// zod issues → field issues: one per offending field, each naming its rule from the one vocabulary
// (FIELD_RULES in ./problem.ts). The backend's problem documents, the provider's check failures and the
// estate files' errors all come from here; each edge adds only its own framing (a path format, a source
// location).
import type { z } from "zod";
import { FIELD_RULES } from "./problem.ts";
import type { FieldRule } from "./problem.ts";

export interface FieldIssue {
  path: PropertyKey[];
  rule: FieldRule;
  message: string;
  /** `key` when the field's name is what is wrong (an unknown field), `value` otherwise. */
  at: "key" | "value";
  /** The zod issue it comes from, for an edge that words a message its own way. */
  issue: z.core.$ZodIssue;
}

/** `input` is the value that was parsed: it tells a missing field (`required`) from one of the wrong type (`type`). */
export function fieldIssues(issues: readonly z.core.$ZodIssue[], input: { value: unknown }): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        rule: "unknown-field",
        message: `unknown field "${key}"`,
        at: "key",
        issue,
      }));
    return [{ path: issue.path, rule: ruleOf(issue, input), message: issue.message, at: "value", issue }];
  });
}

function ruleOf(issue: z.core.$ZodIssue, input: { value: unknown }): FieldRule {
  switch (issue.code) {
    case "invalid_type":
      return has(input.value, issue.path) ? "type" : "required";
    case "too_big":
      return issue.origin === "string"
        ? "too-long"
        : issue.origin === "array" || issue.origin === "set"
          ? "too-many"
          : "too-big";
    case "too_small":
      return issue.origin === "string"
        ? "too-short"
        : issue.origin === "array" || issue.origin === "set"
          ? "too-few"
          : "too-small";
    case "not_multiple_of":
      return "not-multiple-of";
    case "invalid_format":
      return issue.format === "regex"
        ? "pattern"
        : issue.format === "email"
          ? "email"
          : issue.format === "datetime"
            ? "datetime"
            : "format";
    case "invalid_value":
      return "one-of";
    case "invalid_union":
      return "invalid-union";
    case "invalid_key":
      return "invalid-key";
    case "invalid_element":
      return "invalid-element";
    case "custom":
      return namedRule(issue.params) ?? "custom";
  }
  // An issue code newer than this module: still a rule from the vocabulary.
  return "custom";
}

/** The rule a schema's own refinement names in its params (see `ruleParams`). */
function namedRule(params: unknown): FieldRule | undefined {
  const rule = (params as { rule?: unknown } | undefined)?.rule;
  return FIELD_RULES.find((known) => known === rule);
}

function has(root: unknown, path: readonly PropertyKey[]): boolean {
  let node = root;
  for (const p of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, p)) return false;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node !== undefined;
}
