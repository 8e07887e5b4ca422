// Subscriptions: list with filters, read, cancel, reinstate (If-Match required), change call plan.
import { z } from "zod";
import {
  CallPlanChange,
  CancelRequest,
  CancelRequestAsSent,
  ReinstateRequest,
  Subscription,
  SubscriptionQuery,
} from "../../schemas/subscription.ts";
import { caller, route, type App } from "../http/app.ts";
import { etag, ifMatch, requireIfMatch } from "../http/headers.ts";
import { idParam, ok, problems, writeHeaders } from "../http/route-description.ts";
import type { SubscriptionService } from "./service.ts";

export function subscriptionRoutes(app: App, subs: SubscriptionService): void {
  const one = (c: Parameters<Parameters<typeof route>[2]>[0], s: Subscription): Response => {
    c.header("ETag", etag(s.version));
    return c.json(s);
  };
  route(
    app,
    {
      method: "get",
      path: "/v1/subscriptions",
      request: { query: SubscriptionQuery },
      responses: { 200: ok(z.array(Subscription), "subscriptions"), ...problems(422) },
    },
    async (c, input) => c.json(await subs.list(caller(c), input.query())),
  );
  route(
    app,
    {
      method: "get",
      path: "/v1/subscriptions/{id}",
      request: { params: idParam },
      responses: { 200: ok(Subscription, "the subscription"), ...problems(404) },
    },
    async (c) => one(c, await subs.get(caller(c), c.req.param("id") ?? "")),
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/subscriptions/{id}/cancel",
      summary:
        "Cancel at the end of the month (default, in the account's time zone) or immediately, accepting the current service terms",
      request: {
        params: idParam,
        headers: writeHeaders.pick({ "if-match": true }),
        body: { content: { "application/json": { schema: CancelRequest } } },
      },
      responses: { 200: ok(Subscription, "cancellation scheduled or done"), ...problems(404, 409, 412, 422) },
    },
    async (c, input) =>
      one(c, await subs.cancel(caller(c), c.req.param("id") ?? "", await input.body(CancelRequestAsSent), ifMatch(c))),
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/subscriptions/{id}/reinstate",
      summary: "Withdraw a scheduled cancellation; If-Match is required",
      request: {
        params: idParam,
        headers: writeHeaders.pick({ "if-match": true }),
        body: { content: { "application/json": { schema: ReinstateRequest } } },
      },
      responses: {
        200: ok(Subscription, "active again, carrying the given clientReference if one was sent"),
        ...problems(404, 409, 412, 422, 428),
      },
    },
    async (c, input) => {
      const v = requireIfMatch(c);
      return one(c, await subs.reinstate(caller(c), c.req.param("id") ?? "", v, await input.body()));
    },
  );
  route(
    app,
    {
      method: "post",
      path: "/v1/subscriptions/{id}/call-plan",
      summary: "Change a user licence's call plan in place",
      request: {
        params: idParam,
        headers: writeHeaders.pick({ "if-match": true }),
        body: { content: { "application/json": { schema: CallPlanChange } } },
      },
      responses: { 200: ok(Subscription, "changed"), ...problems(404, 409, 412, 422) },
    },
    async (c, input) =>
      one(c, await subs.changeCallPlan(caller(c), c.req.param("id") ?? "", (await input.body()).callPlan, ifMatch(c))),
  );
}
