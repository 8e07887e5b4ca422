// POST /v1/batch: up to 100 API requests in one round trip. Each is served by the same routes, checks and
// logs as if sent alone, concurrently, so writes into one change set share a transaction (group commit);
// each answers with its own status. A batch is not atomic: it saves round trips, not a change set.
import { BatchRequest, BatchResponse, BATCH_HEADERS } from "../../schemas/batch.ts";
import { route, type App } from "../http/app.ts";
import { ok, problems } from "../http/route-description.ts";

/** Headers of an answer a client acts on (versions, retry hints, new objects). */
const ANSWER_HEADERS = ["etag", "retry-after", "location"];

export function batchRoutes(app: App): void {
  route(
    app,
    {
      method: "post",
      path: "/v1/batch",
      summary: "Send several requests in one: each is answered as if sent alone, with its own status",
      request: { body: { content: { "application/json": { schema: BatchRequest } } } },
      responses: { 200: ok(BatchResponse, "one answer per request, in order"), ...problems(422) },
    },
    async (c, input) => {
      const { requests } = await input.body();
      const authorization = c.req.header("authorization") ?? "";
      const requestId = c.get("requestId");
      const responses = await Promise.all(
        requests.map(async (r, i) => {
          const headers: Record<string, string> = { authorization, "x-request-id": `${requestId}.${i}` };
          for (const name of BATCH_HEADERS) {
            const value = r.headers?.[name];
            if (value !== undefined) headers[name] = value;
          }
          let payload: string | undefined;
          if (r.body !== undefined && r.method !== "GET") {
            payload = JSON.stringify(r.body);
            headers["content-type"] = "application/json";
          }
          const answer = await app.fetch(
            new Request(new URL(r.path, c.req.url), { method: r.method, headers, body: payload }),
            { ...c.env, batchOf: requestId },
          );
          const text = await answer.text();
          const answerHeaders: Record<string, string> = {};
          for (const name of ANSWER_HEADERS) {
            const value = answer.headers.get(name);
            if (value !== null) answerHeaders[name] = value;
          }
          return {
            status: answer.status,
            headers: answerHeaders,
            body: text === "" ? null : (JSON.parse(text) as unknown),
          };
        }),
      );
      return c.json({ responses });
    },
  );
}
