// What a request must be before the backend reads it: JSON said so, a body of bounded size, and, inside a
// batch, a plain path under /v1/.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { describeEachStore, newAccount, start, TERMS, type Client } from "./harness.ts";

const MiB = 1024 * 1024;
const order = JSON.stringify({ termsVersion: TERMS, items: [{ product: "sip-device-licence" }] });

describeEachStore(
  "request limits",
  (store) => {
    let backend: Backend;
    let c: Client;
    beforeAll(async () => {
      backend = await start(store);
      c = await newAccount(backend);
    });
    afterAll(async () => backend.stop());

    const post = (path: string, body: string | Uint8Array, contentType?: string) =>
      fetch(`${backend.url}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${c.token}`,
          ...(contentType === undefined ? {} : { "content-type": contentType }),
        },
        body,
      });
    const subscriptions = async () => ((await c.get("/v1/subscriptions")).body as unknown[]).length;

    it("refuses a body that is not declared JSON with 415, and orders nothing", async () => {
      const before = await subscriptions();
      for (const contentType of ["text/plain", undefined, "application/x-www-form-urlencoded"]) {
        const r = await post("/v1/orders", order, contentType);
        expect(r.status, String(contentType)).toBe(415);
        expect(r.headers.get("content-type")).toContain("application/problem+json");
        expect(((await r.json()) as { code: string }).code).toBe("unsupported-media-type");
      }
      expect(await subscriptions()).toBe(before);
      expect((await post("/v1/orders", order, "application/json; charset=utf-8")).status).toBe(201);
    });

    /** Sends `chunks` as one request body and resolves with the status as soon as the answer comes. */
    const sendRaw = (headers: Record<string, string>, chunks: Iterable<string>) =>
      new Promise<{ status: number; body: Promise<string> }>((resolve, reject) => {
        const req = httpRequest(`${backend.url}/v1/orders`, {
          method: "POST",
          headers: { authorization: `Bearer ${c.token}`, "content-type": "application/json", ...headers },
        });
        let answered = false;
        req.on("response", (res) => {
          answered = true;
          const body = new Promise<string>((done) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () => done(text));
            res.on("error", () => done(text));
          });
          resolve({ status: res.statusCode ?? 0, body });
        });
        // The server may close the connection once it has answered: writing the rest then fails, which is the point.
        req.on("error", (error) => (answered ? undefined : reject(error)));
        for (const chunk of chunks) req.write(chunk);
      });

    it("refuses a body over 1 MiB with 413 before reading it, whether its length is declared or streamed", async () => {
      const before = await subscriptions();
      const padded = `{"termsVersion":"${TERMS}","items":[{"product":"sip-device-licence"}],"pad":"${"x".repeat(2 * MiB)}"}`;
      const declared = await sendRaw({ "content-length": String(Buffer.byteLength(padded)) }, [padded]);
      expect(declared.status).toBe(413);
      expect((JSON.parse(await declared.body) as { code: string }).code).toBe("body-too-large");

      const streamed = await sendRaw(
        { "transfer-encoding": "chunked" },
        Array.from({ length: 4 }, () => " ".repeat(MiB / 2)),
      );
      expect(streamed.status).toBe(413);

      // A body announced as 100 MB is refused on its headers alone, while almost none of it was sent.
      const announced = await sendRaw({ "content-length": String(100 * 1_000_000) }, ["{"]);
      expect(announced.status).toBe(413);
      expect(await subscriptions()).toBe(before);
    });

    it("takes a batch up to its own larger limit, stated with every route's limit in the OpenAPI document", async () => {
      const requests = Array.from({ length: 100 }, () => ({
        method: "POST",
        path: "/v1/devices",
        body: { name: "x".repeat(20_000), licenceId: "sub_aaaaaaaaaaaaaaaaaaaa" },
      }));
      const batch = await post("/v1/batch", JSON.stringify({ requests }), "application/json");
      expect(batch.status).toBe(200);
      expect(
        ((await batch.json()) as { responses: { status: number }[] }).responses.every((r) => r.status === 422),
      ).toBe(true);

      type Operation = { post: Record<string, unknown> };
      const document = (await (await fetch(`${backend.url}/openapi.json`)).json()) as {
        paths: Record<string, Operation>;
      };
      expect(document.paths["/v1/orders"]?.post["x-max-body-bytes"]).toBe(MiB);
      expect(document.paths["/v1/batch"]?.post["x-max-body-bytes"]).toBe(4 * MiB);
    });

    it("refuses batched paths that only become another route once normalised", async () => {
      for (const path of [
        "/v1/../v1/batch",
        "/v1/../openapi.json",
        "/v1/%2e%2e/openapi.json",
        "/v1/users/..\\..\\openapi.json",
        "/v1/./whoami",
      ]) {
        const r = await post("/v1/batch", JSON.stringify({ requests: [{ method: "GET", path }] }), "application/json");
        expect(r.status, path).toBe(422);
        const problem = (await r.json()) as { fields: { path: string }[] };
        expect(
          problem.fields.map((f) => f.path),
          path,
        ).toContain("requests.0.path");
      }
      const plain = await post(
        "/v1/batch",
        JSON.stringify({ requests: [{ method: "GET", path: "/v1/whoami" }] }),
        "application/json",
      );
      expect(((await plain.json()) as { responses: { status: number }[] }).responses[0]?.status).toBe(200);
    });

    it("limits requests with a missing or refused token per client address; a valid token is never held back", async () => {
      const strict = await start(store, { unauthenticatedRateLimit: { perSecond: 0.5, burst: 3 } });
      try {
        const whoami = (token: string | null, forwardedFor?: string) =>
          fetch(`${strict.url}/v1/whoami`, {
            headers: {
              ...(token === null ? {} : { authorization: `Bearer ${token}` }),
              ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
            },
          });
        const statuses = [];
        for (const token of ["wrong-1", null, "wrong-2", "wrong-3", null]) statuses.push((await whoami(token)).status);
        expect(statuses).toEqual([401, 401, 401, 429, 429]);
        const limited = await whoami("wrong-4");
        expect(limited.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
        expect(((await limited.json()) as { code: string }).code).toBe("rate-limited");
        // Without a trusted proxy, X-Forwarded-For is the client's word: it opens no new bucket.
        expect((await whoami("wrong-5", "203.0.113.10")).status).toBe(429);
        const valid = await newAccount(strict);
        expect((await whoami(valid.token)).status).toBe(200);
      } finally {
        await strict.stop();
      }
    });

    it("behind a trusted proxy, limits by the address the proxy forwards", async () => {
      const proxied = await start(store, { unauthenticatedRateLimit: { perSecond: 0.5, burst: 2 }, trustProxy: true });
      try {
        const whoami = (forwardedFor: string) =>
          fetch(`${proxied.url}/v1/whoami`, {
            headers: { authorization: "Bearer wrong", "x-forwarded-for": forwardedFor },
          });
        const statuses = [];
        for (const from of ["198.51.100.1, 203.0.113.9", "203.0.113.9", "203.0.113.9", "203.0.113.10"])
          statuses.push((await whoami(from)).status);
        expect(statuses).toEqual([401, 401, 429, 401]);
      } finally {
        await proxied.stop();
      }
    });
  },
  ["embedded"],
);
