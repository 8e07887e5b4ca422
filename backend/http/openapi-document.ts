// The OpenAPI 3.1 document of the app's routes, generated from the same zod schemas they validate with.
import type { App } from "./app.ts";

/** Builds the document from every route registered so far and serves it at GET /openapi.json (no token). */
export function serveOpenApiDocument(app: App): Record<string, unknown> {
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "pbx-estate provisioning API",
      version: "1.0.0",
      description:
        "Hosted-PBX ordering and configuration: accounts, catalogue, orders, subscriptions, SIP devices, users, change sets. Errors are RFC 9457 problem documents.",
    },
  }) as unknown as Record<string, unknown>;
  app.get("/openapi.json", (c) => c.json(document));
  return document;
}
