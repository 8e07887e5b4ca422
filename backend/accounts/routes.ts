// GET /v1/whoami: which account the token belongs to.
import { z } from "zod";
import { Whoami } from "../../schemas/account.ts";
import { caller, route, type App } from "../http/app.ts";
import { ok, problems } from "../http/route-description.ts";

export function accountRoutes(app: App): void {
  route(
    app,
    {
      method: "get",
      path: "/v1/whoami",
      summary: "The account of this token",
      responses: { 200: ok(Whoami, "the account"), ...problems() },
    },
    async (c) => {
      const { account } = caller(c);
      return c.json({
        accountId: account.id,
        name: account.name,
        timeZone: account.timeZone,
        numbers: account.numbers,
      });
    },
  );
  // The cheapest authenticated route: checks a token, and is the HTTP floor of the benchmark.
  route(
    app,
    {
      method: "get",
      path: "/v1/ping",
      summary: "Authenticated no-op",
      responses: { 200: ok(z.object({ pong: z.literal(true) }), "pong"), ...problems() },
    },
    async (c) => c.json({ pong: true as const }),
  );
}
