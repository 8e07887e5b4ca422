// GET /v1/catalogue: products, call plans, current terms version.
import { Catalogue } from "../../schemas/catalogue.ts";
import { route, type App } from "../http/app.ts";
import { ok, problems } from "../http/route-description.ts";
import { catalogueWith } from "./service.ts";

export function catalogueRoutes(app: App, termsVersion: string): void {
  const catalogue = catalogueWith(termsVersion);
  route(
    app,
    {
      method: "get",
      path: "/v1/catalogue",
      summary: "Products, call plans and terms version",
      responses: { 200: ok(Catalogue, "the catalogue"), ...problems() },
    },
    async (c) => c.json(catalogue),
  );
}
