// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.
import type { App } from "./http/app.ts";

export function openApiDocument(app: App): Record<string, unknown> {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "pbx-estate provisioning API",
      version: "1.0.0",
      description: "Hosted-PBX ordering and configuration: accounts, catalogue, orders, subscriptions, SIP devices, users, change sets. Errors are RFC 9457 problem documents.",
    },
  }) as unknown as Record<string, unknown>;
}
