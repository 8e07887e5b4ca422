// Change sets and revisions: open, read, list, apply, discard.
import { z } from "zod";
import { ApplyResult, ChangeSet, ChangeSetCreate, Revision } from "../../schemas/change-set.ts";
import { caller, route, type App } from "../http/app.ts";
import { idParam, ok, problems } from "../http/route-description.ts";
import { notFound } from "../errors.ts";
import type { ChangeSetService } from "./service.ts";
import { deviceView, type Registrar } from "../devices/view.ts";
import { userView } from "../users/view.ts";

const listQuery = z.object({ status: z.enum(["open", "applied", "discarded"]).optional() }).strict();

export function changeSetRoutes(app: App, changes: ChangeSetService, registrar: Registrar): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/change-sets",
      summary: "Open a change set owned by this token",
      request: { body: { content: { "application/json": { schema: ChangeSetCreate } } } },
      responses: { 201: ok(ChangeSet, "opened"), ...problems(422) },
    },
    async (c, input) => c.json(await changes.open(caller(c), (await input.body()).description ?? null), 201),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/change-sets",
      request: { query: listQuery },
      responses: { 200: ok(z.array(ChangeSet), "change sets"), ...problems(422) },
    },
    async (c, input) => c.json(await changes.list(caller(c), input.query().status)),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/change-sets/{id}",
      request: { params: idParam },
      responses: { 200: ok(ChangeSet, "the change set"), ...problems(404) },
    },
    async (c) => {
      const id = c.req.param("id") ?? "";
      const cs = await changes.get(caller(c), id);
      if (!cs) throw notFound("change set", id);
      return c.json(cs);
    },
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/change-sets/{id}/apply",
      summary: "Make the change set live as one revision",
      request: { params: idParam },
      responses: { 200: ok(ApplyResult, "applied"), ...problems(403, 404, 409, 412, 422) },
    },
    async (c) => {
      const applied = await changes.apply(caller(c), c.req.param("id") ?? "");
      const { config, ctx, pending, touched } = applied;
      const users = touched.users.flatMap((id) => {
        const u = config.users.get(id);
        return u ? [userView(config, ctx, u, pending)] : [];
      });
      const devices = touched.devices.flatMap((id) => {
        const d = config.devices.get(id);
        return d ? [deviceView(config, d, pending, registrar)] : [];
      });
      return c.json({ revision: applied.revision, changeSetId: applied.changeSetId, users, devices });
    },
  );
  route(
    app,
    {
      method: "delete",
      path: "/v1/change-sets/{id}",
      summary: "Discard an open change set",
      request: { params: idParam },
      responses: { 204: { description: "discarded" }, ...problems(403, 404, 409) },
    },
    async (c) => {
      await changes.discard(caller(c), c.req.param("id") ?? "");
      return c.body(null, 204);
    },
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/revisions",
      responses: { 200: ok(z.array(Revision), "applied revisions"), ...problems() },
    },
    async (c) => c.json(await changes.revisions(caller(c))),
  );
}
