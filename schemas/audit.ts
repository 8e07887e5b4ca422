// Audit log entries: who changed what, when, under which request id.
import { z } from "zod";
import { Instant } from "./common.ts";

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    at: Instant,
    tokenId: z
      .string()
      .nullable()
      .describe(
        "id of the token that made the change (never the token itself); null when the backend acted by itself, as the mail outbox does when it delivers or gives up on a mail",
      ),
    requestId: z
      .string()
      .describe("the request's id; for an action of the backend itself, the id its log line carries"),
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
