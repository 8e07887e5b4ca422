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
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntry>;
