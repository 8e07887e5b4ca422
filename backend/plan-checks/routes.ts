// Plan checks: the operations an apply will make, checked against the live configuration without writing.
import { PlanCheckRequest, PlanCheckResult } from "../../schemas/plan-check.ts";
import { checkPlan } from "../configuration/plan-check.ts";
import type { ChangeSetService } from "../change-sets/service.ts";
import { caller, route, type App } from "../http/app.ts";
import { ok, problems } from "../http/route-description.ts";

export function planCheckRoutes(app: App, changes: ChangeSetService): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/plan-checks",
      summary: "Check a plan's operations against the live configuration, without writing",
      description:
        "Replays the operations on a copy of the live configuration with the rules an apply enforces, in the order the engine runs them (deletions marked `replaced` first, then creates, updates and links, then the other deletions), and answers every refusal an apply would meet. Licences listed in `licences` stand for those the apply will order. Nothing is written.",
      request: { body: { content: { "application/json": { schema: PlanCheckRequest } } } },
      responses: {
        200: ok(PlanCheckResult, "the refusals; none when the apply would pass its rules"),
        ...problems(413, 422),
      },
    },
    async (c, input) => {
      const request = await input.body();
      const { config, ctx } = await changes.view(caller(c), null);
      return c.json({ refusals: checkPlan(config, ctx, request) });
    },
  );
}
