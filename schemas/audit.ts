// Audit log entries: who changed what, when, under which request id.
import { z } from "zod";
import { Instant } from "./common.ts";

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    at: Instant,
    tokenId: z.string().describe("id of the token that made the change (never the token itself)"),
    requestId: z.string(),
    action: z.string(),
    objectKind: z.string(),
    objectId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    detailFormat: z
      .number()
      .int()
      .describe(
        "2: every value in detail as the API shows it; 1: a subscription change's detail names database columns and shows its dates as {} (their values were not kept)",
      ),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntry>;
