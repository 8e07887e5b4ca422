// The HTTP application: request ids and logs, auth, rate limit, fault injection, routes, one error handler.
import { randomUUID } from "node:crypto";
import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, Env as HonoEnv } from "hono";
import type { HttpBindings } from "@hono/node-server";
import type { Logger } from "pino";
import { z } from "zod";
import type { Caller } from "../accounts/caller.ts";
import { ApiError } from "../errors.ts";
import { limitBodies, maxBodyBytes } from "./body-limit.ts";
import { problemResponse } from "./problem.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { Faults } from "./faults.ts";
import { body as parseBody, query as parseQuery } from "./validate.ts";

export interface Env extends HonoEnv {
  /** `batchOf`: the request id of the batch a request came in (backend/batch/). */
  Bindings: HttpBindings & { batchOf?: string };
  Variables: { requestId: string; log: Logger; caller: Caller };
}
export type Ctx = Context<Env>;
export type App = OpenAPIHono<Env>;

export interface AppDeps {
  log: Logger;
  authenticate(token: string): Promise<Omit<Caller, "requestId"> | null>;
  rateLimiter: RateLimiter | null;
  /** Counts requests with a missing or refused token, per client address. */
  unauthenticatedLimiter: RateLimiter | null;
  /** Take the client address from X-Forwarded-For (its last entry), set by a trusted proxy. */
  trustProxy: boolean;
  faults: Faults | null;
}

/** The address a request came from: the socket's, or the last X-Forwarded-For entry behind a trusted proxy. */
function clientAddress(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  trustProxy: boolean,
): string {
  const forwarded = trustProxy ? forwardedFor?.split(",").pop()?.trim() : undefined;
  return forwarded || (socketAddress ?? "unknown");
}

type JsonBodyOf<C extends RouteConfig> = C["request"] extends {
  body: { content: { "application/json": { schema: infer S } } };
}
  ? S
  : never;
type QueryOf<C extends RouteConfig> = C["request"] extends { query: infer Q } ? Q : never;
type Parsed<S> = S extends z.ZodType ? z.output<S> : never;

/** What a handler reads from a request, parsed with the schemas its route description names. */
export interface RouteInput<C extends RouteConfig> {
  /**
   * The body, parsed with the described schema; `as` parses it with another on purpose (a schema looser than
   * the document, so that a rule of the service's own answers rather than schema validation).
   */
  body(): Promise<Parsed<JsonBodyOf<C>>>;
  body<S extends z.ZodType>(as: S): Promise<z.output<S>>;
  query(): Parsed<QueryOf<C>>;
}

/**
 * Registers `config` in the OpenAPI document and serves it with `handler`, which reads the body and query
 * through `input`, parsed with the schemas `config` names: each route names its schema once. A route that
 * takes a body states its size limit (`x-max-body-bytes`).
 */
export function route<C extends RouteConfig>(
  app: App,
  config: C,
  handler: (c: Ctx, input: RouteInput<C>) => Promise<Response>,
): void {
  const limit = config.request?.body ? { "x-max-body-bytes": maxBodyBytes(config.path) } : {};
  app.openAPIRegistry.registerPath({
    security: config.path.startsWith("/v1/") ? [{ bearer: [] }] : [],
    ...limit,
    ...config,
  });
  const json = config.request?.body?.content["application/json"] as { schema?: unknown } | undefined;
  const described = { body: json?.schema, query: config.request?.query };
  app.on(config.method.toUpperCase(), config.path.replace(/\{(\w+)\}/g, ":$1"), (c: Ctx) => {
    // The overloads of RouteInput hold the types; at run time both read through the same parser.
    const input = {
      body: (as?: z.ZodType) => parseBody(c, as ?? zodSchema(described.body, config, "body")),
      query: () => parseQuery(c, zodSchema(described.query, config, "query")),
    } as RouteInput<C>;
    return handler(c, input);
  });
}

function zodSchema(schema: unknown, config: RouteConfig, what: string): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  throw new Error(`${config.method.toUpperCase()} ${config.path} describes no zod ${what} schema`);
}

export function caller(c: Ctx): Caller {
  return c.get("caller");
}

export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono<Env>();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  app.use(async (c, next) => {
    const given = c.req.header("x-request-id");
    const requestId = given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    const log = deps.log.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    const caller = c.get("caller") as Caller | undefined;
    const batchOf = (c.env as Env["Bindings"] | undefined)?.batchOf;
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        accountId: caller?.account.id,
        ...(batchOf ? { batchOf } : {}),
      },
      "request",
    );
  });

  app.use(limitBodies());

  app.use("/v1/*", async (c, next) => {
    deps.faults?.before();
    const auth = c.req.header("authorization");
    const m = auth === undefined ? null : /^Bearer\s+(\S+)$/i.exec(auth);
    const principal = m?.[1] ? await deps.authenticate(m[1]) : null;
    if (!principal)
      deps.unauthenticatedLimiter?.take(
        clientAddress(c.req.header("x-forwarded-for"), c.env.incoming?.socket.remoteAddress, deps.trustProxy),
      );
    if (!principal)
      throw new ApiError(
        401,
        "unauthenticated",
        "send Authorization: Bearer <token> with a valid token",
        {},
        { "WWW-Authenticate": "Bearer" },
      );
    deps.rateLimiter?.take(principal.tokenId);
    c.set("caller", { ...principal, requestId: c.get("requestId") });
    await next();
    const action = deps.faults?.after(c.req.method, c.req.path) ?? null;
    if (action === "drop") {
      // After commit: the client never hears the answer.
      c.env.incoming.socket.destroy();
    } else if (action === "hold" && deps.faults) {
      await deps.faults.hold();
    } else if (action === "unavailable") {
      // The change is committed; the client hears 503 instead (the error handler writes the problem).
      throw new ApiError(503, "unavailable", "injected fault after commit", {}, { "Retry-After": "1" });
    }
  });

  app.onError((err, c) => problemResponse(c, err));
  app.notFound((c) => problemResponse(c, new ApiError(404, "no-route", `no route ${c.req.method} ${c.req.path}`)));
  return app;
}
