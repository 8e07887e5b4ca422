// RFC 9457 problem document: every error the backend answers has this shape.
import { z } from "zod";

export const ProblemField = z.object({
  path: z.string().describe("dotted path of the offending field, e.g. recording.email"),
  rule: z.string().describe("the rule broken, e.g. too_small, invalid_format, unrecognized_keys"),
  message: z.string(),
});

export const Holder = z.object({ kind: z.enum(["user", "device"]), id: z.string(), name: z.string() });

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
