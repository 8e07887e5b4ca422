// RFC 9457 problem document: every error the backend answers has this shape. Also the one vocabulary of
// rules a field can break, shared by the backend's problem documents, the provider's check failures and
// the estate files' errors.
import { z } from "zod";

/**
 * Every rule a field can break, kebab-case and stable: tools and tests match on these. The first group is
 * how ./field-issues.ts names what a zod schema refuses; the second, the rules the schemas check
 * themselves; the third, the rules the backend checks against what the account holds.
 */
export const FIELD_RULES = [
  // The shape of a value.
  "required",
  "type",
  "unknown-field",
  "too-short",
  "too-long",
  "too-few",
  "too-many",
  "too-small",
  "too-big",
  "not-multiple-of",
  "pattern",
  "email",
  "datetime",
  "format",
  "one-of",
  "invalid-union",
  "invalid-key",
  "invalid-element",
  // The schemas' own rules.
  "control-character",
  "bidi-control",
  "ill-formed-unicode",
  "not-emergency",
  "time-zone",
  "plain-path",
  "unique",
  "forbidden",
  "custom",
  // Checked by the backend against the account.
  "exists",
  "matches-licence",
  "account-number",
  "current-terms",
] as const;
export type FieldRule = (typeof FIELD_RULES)[number];

const FIELD_RULE_MEANINGS: Record<FieldRule, string> = {
  required: "a required field is missing",
  type: "the value has the wrong type",
  "unknown-field": "no such field",
  "too-short": "text too short, e.g. empty",
  "too-long": "text too long",
  "too-few": "too few items",
  "too-many": "too many items",
  "too-small": "number too small",
  "too-big": "number too big",
  "not-multiple-of": "number not a multiple of the step",
  pattern: "text not of the required form",
  email: "not an email address",
  datetime: "not an ISO 8601 date and time",
  format: "text not in the required format",
  "one-of": "not one of the allowed values",
  "invalid-union": "matches none of the allowed shapes",
  "invalid-key": "a key of a map is not allowed",
  "invalid-element": "an element of a collection is not allowed",
  "control-character": "holds a control character",
  "bidi-control": "holds a bidirectional control character",
  "ill-formed-unicode": "holds an unpaired surrogate",
  "not-emergency": "an extension may not be an emergency number",
  "time-zone": "not an IANA time zone",
  "plain-path": "not a plain path",
  unique: "repeats a value that must be unique",
  forbidden: "not allowed here",
  custom: "refused by a rule of its own",
  exists: "names an object that does not exist in the account",
  "matches-licence": "differs from the licence's value",
  "account-number": "not one of the account's numbers",
  "current-terms": "not the catalogue's current terms version",
};

export const FieldRule = z
  .enum(FIELD_RULES)
  .describe(
    `the rule broken, kebab-case and stable: ${FIELD_RULES.map((r) => `${r} (${FIELD_RULE_MEANINGS[r]})`).join("; ")}`,
  );

/** The `params` of a schema's own refinement: names its rule, from the one vocabulary. */
export function ruleParams(rule: FieldRule): { rule: FieldRule } {
  return { rule };
}

/** Rules only estate files can break: their files, their YAML and the estate as a whole; with the field rules, an estate-file error's rule. */
export const ESTATE_FILE_RULES = [
  "no-files",
  "not-found",
  "not-a-file",
  "too-many-files",
  "unreadable",
  "too-large",
  "binary",
  "encoding",
  "empty",
  "yaml-syntax",
  "too-deep",
  "too-many-documents",
  "complex-key",
  "forbidden-key",
  "duplicate-key",
  "no-aliases",
  "unsupported-api-version",
  "unknown-kind",
  "no-estate",
  "duplicate-estate",
  "duplicate-group",
  "duplicate-extension",
] as const;
export type EstateFileRule = FieldRule | (typeof ESTATE_FILE_RULES)[number];

export const ProblemField = z.object({
  path: z.string().describe("dotted path of the offending field, e.g. recording.email"),
  rule: FieldRule,
  message: z.string(),
});
export type ProblemField = z.infer<typeof ProblemField>;

export const Holder = z.object({ kind: z.enum(["user", "device"]), id: z.string(), name: z.string() });

/** The objects a refusal of the live rules names: its holders, and the device of a link conflict. */
export function conflictObjectIds(problem: { holders?: readonly { id: string }[]; deviceId?: unknown }): string[] {
  const ids = (problem.holders ?? []).map((h) => h.id);
  return typeof problem.deviceId === "string" ? [...ids, problem.deviceId] : ids;
}

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe("stable machine-readable code, e.g. licence-held"),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    fields: z.array(ProblemField).optional(),
    holders: z.array(Holder).optional(),
    acceptVersion: z.string().optional(),
    currentVersion: z.number().int().optional(),
    existing: z.object({ kind: z.string(), id: z.string() }).optional(),
  })
  .loose()
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
