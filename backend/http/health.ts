// GET /health: liveness, and a query proving the store answers (no token).
import type { Store } from "../store/index.ts";
import { route, type App } from "./app.ts";

export function healthRoute(app: App, store: Store): void {
  route(
    app,
    { method: "get", path: "/health", summary: "Liveness and store check", responses: { 200: { description: "ok" } } },
    async (c) => {
      await store.db.selectFrom("accounts").select("id").limit(1).execute();
      return c.json({ status: "ok", store: store.kind });
    },
  );
}
