// Builders for describing routes in the OpenAPI document: answers, problem answers, shared parameters.
import { IdList } from "../../schemas/common.ts";
import { z } from "zod";
import { Problem } from "../../schemas/problem.ts";

export function ok(
  schema: z.ZodType,
  description: string,
): { description: string; content: { "application/json": { schema: z.ZodType } } } {
  return { description, content: { "application/json": { schema } } };
}

const problemTexts: Record<number, string> = {
  400: "malformed request (bad JSON, bad If-Match)",
  401: "missing or unknown token",
  403: "the change set belongs to another client",
  404: "no such object in this account",
  409: "refused by a rule; `code` and `holders` say which",
  412: "If-Match names a stale version",
  422: "invalid input; `fields` name each field and rule",
  428: "If-Match required",
  429: "rate limited; see Retry-After",
  503: "unavailable; see Retry-After",
};

export function problems(
  ...statuses: number[]
): Record<number, { description: string; content: { "application/problem+json": { schema: z.ZodType } } }> {
  const out: Record<number, { description: string; content: { "application/problem+json": { schema: z.ZodType } } }> =
    {};
  for (const s of [401, 429, ...statuses])
    out[s] = {
      description: problemTexts[s] ?? "problem",
      content: { "application/problem+json": { schema: Problem } },
    };
  return out;
}

export const idParam = z.object({ id: z.string() });
export const writeHeaders = z.object({
  "if-match": z.string().optional().describe('ETag of the version this write is based on, e.g. "3"'),
  "pbx-change-set": z
    .string()
    .optional()
    .describe("stage the write into this change set instead of applying it at once"),
});
export const readHeaders = z.object({
  "pbx-change-set": z
    .string()
    .optional()
    .describe("read through this change set: live state with its staged changes on top"),
});
export const refQuery = z.object({
  ids: IdList.optional().describe("only these objects: comma-separated ids, at most 100; unknown ids are left out"),
  clientReference: z.string().optional(),
  clientReferencePrefix: z.string().min(1).optional().describe("every object whose clientReference starts with this"),
});
