// Orders: POST (Idempotency-Key, clientReference), GET one, list.
import { z } from "zod";
import { Order, OrderCreate } from "../../schemas/order.ts";
import { caller, route, type App } from "../http/app.ts";
import { idParam, ok, problems, refQuery } from "../http/route-description.ts";
import { ApiError } from "../errors.ts";
import type { OrderService } from "./service.ts";

export function orderRoutes(app: App, orders: OrderService): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/orders",
      summary: "Order licences; the same Idempotency-Key and body answer the original order",
      request: {
        headers: z.object({ "idempotency-key": z.string().max(200).optional() }),
        body: { content: { "application/json": { schema: OrderCreate } } },
      },
      responses: {
        201: ok(Order, "created"),
        200: ok(Order, "an order with this clientReference already exists"),
        ...problems(409, 422),
      },
    },
    async (c, input) => {
      const order = await input.body();
      const key = c.req.header("idempotency-key") ?? null;
      if (key !== null && (key.length === 0 || key.length > 200))
        throw new ApiError(400, "bad-idempotency-key", "Idempotency-Key must be 1 to 200 characters");
      const r = await orders.create(caller(c), order, key);
      return c.json(r.order, r.status as 200 | 201);
    },
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/orders",
      request: { query: refQuery.strict() },
      responses: { 200: ok(z.array(Order), "orders"), ...problems(422) },
    },
    async (c, input) => c.json(await orders.list(caller(c), input.query().clientReference)),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/orders/{id}",
      request: { params: idParam },
      responses: { 200: ok(Order, "the order"), ...problems(404) },
    },
    async (c) => c.json(await orders.get(caller(c), c.req.param("id") ?? "")),
  );
}
