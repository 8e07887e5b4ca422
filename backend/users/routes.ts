// PBX users: create, read, list, update, delete, link and unlink devices; staged with Pbx-Change-Set.
import { z } from "zod";
import { DeviceLink, User, UserCreate, UserUpdate } from "../../schemas/user.ts";
import { caller, route, type App, type Ctx } from "../http/app.ts";
import { changeSetHeader, etag, ifMatch } from "../http/headers.ts";
import { idParam, ok, problems, readHeaders, refQuery, writeHeaders } from "../http/route-description.ts";
import type { UserAnswer, UserService } from "./service.ts";

function answer(c: Ctx, a: UserAnswer, status: 200 | 201 = 200): Response {
  c.header("ETag", etag(a.user.version));
  if (a.revision !== null) c.header("Pbx-Revision", String(a.revision));
  return c.json(a.user, status);
}

export function userRoutes(app: App, users: UserService): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/users",
      summary: "Create a PBX user on a free user licence",
      request: {
        headers: writeHeaders.pick({ "pbx-change-set": true }),
        body: { content: { "application/json": { schema: UserCreate } } },
      },
      responses: {
        201: ok(User, "created"),
        200: ok(User, "a user with this clientReference exists"),
        ...problems(403, 404, 409, 422),
      },
    },
    async (c, input) => {
      const a = await users.create(caller(c), changeSetHeader(c), await input.body());
      return answer(c, a, a.created ? 201 : 200);
    },
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/users",
      request: { query: refQuery.strict(), headers: readHeaders },
      responses: { 200: ok(z.array(User), "users"), ...problems(422) },
    },
    async (c, input) => c.json(await users.list(caller(c), changeSetHeader(c), input.query())),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/users/{id}",
      request: { params: idParam, headers: readHeaders },
      responses: { 200: ok(User, "the user"), ...problems(404) },
    },
    async (c) => {
      const u = await users.get(caller(c), changeSetHeader(c), c.req.param("id") ?? "");
      c.header("ETag", etag(u.version));
      return c.json(u);
    },
  );
  route(
    app,
    {
      method: "patch",
      path: "/v1/users/{id}",
      request: {
        params: idParam,
        headers: writeHeaders,
        body: { content: { "application/json": { schema: UserUpdate } } },
      },
      responses: { 200: ok(User, "updated"), ...problems(404, 409, 412, 422) },
    },
    async (c, input) =>
      answer(
        c,
        await users.update(caller(c), changeSetHeader(c), c.req.param("id") ?? "", await input.body(), ifMatch(c)),
      ),
  );
  route(
    app,
    {
      method: "delete",
      path: "/v1/users/{id}",
      summary: "Delete; unlinks its devices, frees its licence",
      request: { params: idParam, headers: writeHeaders },
      responses: { 204: { description: "deleted (or staged)" }, ...problems(404, 412) },
    },
    async (c) => {
      const revision = await users.delete(caller(c), changeSetHeader(c), c.req.param("id") ?? "", ifMatch(c));
      if (revision !== null) c.header("Pbx-Revision", String(revision));
      return c.body(null, 204);
    },
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/users/{id}/devices",
      summary: "Link a device to this user",
      request: {
        params: idParam,
        headers: writeHeaders,
        body: { content: { "application/json": { schema: DeviceLink } } },
      },
      responses: { 200: ok(User, "linked"), ...problems(404, 409, 412, 422) },
    },
    async (c, input) =>
      answer(
        c,
        await users.link(
          caller(c),
          changeSetHeader(c),
          c.req.param("id") ?? "",
          (await input.body()).deviceId,
          ifMatch(c),
        ),
      ),
  );
  route(
    app,
    {
      method: "delete",
      path: "/v1/users/{id}/devices/{deviceId}",
      summary: "Unlink a device from this user",
      request: { params: z.object({ id: z.string(), deviceId: z.string() }), headers: writeHeaders },
      responses: { 200: ok(User, "unlinked"), ...problems(404, 409, 412) },
    },
    async (c) =>
      answer(
        c,
        await users.unlink(
          caller(c),
          changeSetHeader(c),
          c.req.param("id") ?? "",
          c.req.param("deviceId") ?? "",
          ifMatch(c),
        ),
      ),
  );
}
