// GET /v1/audit: the account's audit log, oldest first, paged by `after`.
import { z } from "zod";
import { AuditEntry } from "../../schemas/audit.ts";
import { caller, route, type App } from "../http/app.ts";
import { ok, problems } from "../http/route-description.ts";
import type { Db } from "../store/schema.ts";
import { listAudit } from "./store.ts";

const auditQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export function auditRoutes(app: App, db: Db): void {
  route(
    app,
    {
      method: "get",
      path: "/v1/audit",
      request: { query: auditQuery },
      responses: { 200: ok(z.array(AuditEntry), "entries"), ...problems(422) },
    },
    async (c, input) => {
      const q = input.query();
      return c.json(await listAudit(db, caller(c).account.id, q.after, q.limit));
    },
  );
}
