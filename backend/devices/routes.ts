// SIP devices: create (password shown once), read, list, update, rotate, delete; staged with Pbx-Change-Set.
import { z } from "zod";
import { Device, DeviceCreate, DeviceUpdate, DeviceWithPassword } from "../../schemas/device.ts";
import { caller, route, type App, type Ctx } from "../http/app.ts";
import { changeSetHeader, etag, ifMatch } from "../http/headers.ts";
import { idParam, ok, problems, readHeaders, refQuery, writeHeaders } from "../http/route-description.ts";
import type { DeviceAnswer, DeviceService } from "./service.ts";

function answer(c: Ctx, a: DeviceAnswer, status: 200 | 201 = 200): Response {
  c.header("ETag", etag(a.device.version));
  if (a.revision !== null) c.header("Pbx-Revision", String(a.revision));
  return c.json(a.device, status);
}

export function deviceRoutes(app: App, devices: DeviceService): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/devices",
      summary: "Create a SIP device on a free SIP-device licence; the password is in this response only",
      request: {
        headers: writeHeaders.pick({ "pbx-change-set": true }),
        body: { content: { "application/json": { schema: DeviceCreate } } },
      },
      responses: {
        201: ok(DeviceWithPassword, "created"),
        200: ok(Device, "a device with this clientReference exists (no password)"),
        ...problems(403, 404, 409, 422),
      },
    },
    async (c, input) => {
      const a = await devices.create(caller(c), changeSetHeader(c), await input.body());
      return answer(c, a, a.created ? 201 : 200);
    },
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/devices",
      request: { query: refQuery.strict(), headers: readHeaders },
      responses: { 200: ok(z.array(Device), "devices"), ...problems(422) },
    },
    async (c, input) => c.json(await devices.list(caller(c), changeSetHeader(c), input.query())),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/devices/{id}",
      request: { params: idParam, headers: readHeaders },
      responses: { 200: ok(Device, "the device"), ...problems(404) },
    },
    async (c) => {
      const d = await devices.get(caller(c), changeSetHeader(c), c.req.param("id") ?? "");
      c.header("ETag", etag(d.version));
      return c.json(d);
    },
  );
  route(
    app,
    {
      method: "patch",
      path: "/v1/devices/{id}",
      summary: "Rename, or move to another free SIP-device licence",
      request: {
        params: idParam,
        headers: writeHeaders,
        body: { content: { "application/json": { schema: DeviceUpdate } } },
      },
      responses: { 200: ok(Device, "updated"), ...problems(404, 409, 412, 422) },
    },
    async (c, input) =>
      answer(
        c,
        await devices.update(caller(c), changeSetHeader(c), c.req.param("id") ?? "", await input.body(), ifMatch(c)),
      ),
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/devices/{id}/rotate-password",
      summary: "New SIP password, shown in this response only",
      request: { params: idParam, headers: writeHeaders },
      responses: { 200: ok(DeviceWithPassword, "rotated"), ...problems(404, 412) },
    },
    async (c) => answer(c, await devices.rotate(caller(c), changeSetHeader(c), c.req.param("id") ?? "", ifMatch(c))),
  );
  route(
    app,
    {
      method: "delete",
      path: "/v1/devices/{id}",
      summary: "Delete; refused while linked to a user",
      request: { params: idParam, headers: writeHeaders },
      responses: { 204: { description: "deleted (or staged)" }, ...problems(404, 409, 412) },
    },
    async (c) => {
      const revision = await devices.delete(caller(c), changeSetHeader(c), c.req.param("id") ?? "", ifMatch(c));
      if (revision !== null) c.header("Pbx-Revision", String(revision));
      return c.body(null, 204);
    },
  );
}
