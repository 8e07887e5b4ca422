// Test hooks: each on only by its own option, every /__test call carrying a token only the starter can read.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { SettableClock, type Clock } from "../clock.ts";
import type { App } from "./app.ts";
import type { Faults } from "./faults.ts";
import { body } from "./validate.ts";

export interface TestHookOptions {
  /** PUT /__test/clock moves the clock (needs `clockStart`). */
  clock?: boolean;
  /** PUT /__test/faults and POST /__test/faults/release inject holds, drops and error shares. */
  faults?: boolean;
  /** PUT /__test/publisher holds registrar publishing. */
  publisher?: boolean;
  /** The token every /__test call sends in `pbx-test-token`; a random one when absent. */
  token?: string;
  /** Where the token is written (mode 0600) once the hooks are on. */
  tokenFile?: string;
}

export type TestHook = "clock" | "faults" | "publisher";

export const TEST_TOKEN_HEADER = "pbx-test-token";

export function enabledHooks(options: TestHookOptions | undefined): TestHook[] {
  if (options === undefined) return [];
  return (["clock", "faults", "publisher"] as const).filter((h) => options[h] === true);
}

/** Loopback only: test hooks move the clock and drop requests, which nobody else may reach. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./i.test(host);
  return false;
}

export function refuseNonLoopback(host: string, hooks: TestHook[]): void {
  if (hooks.length > 0 && !isLoopback(host))
    throw new Error(
      `test hooks (${hooks.join(", ")}) are served only on a loopback address; refusing to listen on ${host} with them`,
    );
}

/** The hooks' token: the given one, or 32 random bytes; written to tokenFile (0600) when one is named. */
export function testHookToken(options: TestHookOptions): string {
  const token = options.token ?? randomBytes(32).toString("base64url");
  if (options.tokenFile !== undefined) {
    mkdirSync(dirname(options.tokenFile), { recursive: true, mode: 0o700 });
    writeFileSync(options.tokenFile, `${token}\n`, { mode: 0o600 });
  }
  return token;
}

/** Refuses a /__test call without the hooks' token (401), comparing digests so timing says nothing. */
export function requireTestToken(token: string): MiddlewareHandler {
  const expected = createHash("sha256").update(token).digest();
  return async (c, next) => {
    const given = c.req.header(TEST_TOKEN_HEADER) ?? "";
    if (!timingSafeEqual(createHash("sha256").update(given).digest(), expected))
      throw new ApiError(
        401,
        "test-token-required",
        `test hooks need the token the server wrote at start, in the ${TEST_TOKEN_HEADER} header`,
      );
    await next();
  };
}

export interface TestHookTargets {
  clock: Clock;
  faults: Faults | null;
  /** The registrar outbox's publisher; null without a registrar. */
  publisher: { hold(): void; release(): void } | null;
}

/** Serves the enabled hooks under /__test, each call refused without `token`. */
export function testHookRoutes(app: App, hooks: readonly TestHook[], token: string, targets: TestHookTargets): void {
  const { clock, faults, publisher } = targets;
  app.use("/__test/*", requireTestToken(token));
  if (hooks.includes("clock")) {
    app.put("/__test/clock", async (c) => {
      const { now } = await body(c, z.object({ now: z.iso.datetime() }).strict());
      if (!(clock instanceof SettableClock))
        throw new ApiError(409, "clock-not-settable", "start the backend with a clock start to move it");
      clock.set(new Date(now));
      return c.json({ now: clock.now().toISOString() });
    });
  }
  if (hooks.includes("faults")) {
    app.put("/__test/faults", async (c) => {
      const input = await body(
        c,
        z
          .object({
            rules: z
              .array(
                z
                  .object({
                    method: z.string(),
                    path: z.string(),
                    action: z.enum(["hold", "drop", "unavailable"]),
                    times: z.number().int().min(1).optional(),
                  })
                  .strict(),
              )
              .default([]),
            errorShare: z
              .object({
                status: z.union([z.literal(503), z.literal(429)]),
                every: z.number().int().min(1),
                retryAfterSeconds: z.number().int().min(0),
              })
              .strict()
              .nullable()
              .default(null),
          })
          .strict(),
      );
      faults?.set(input.rules, input.errorShare);
      return c.json({ ok: true });
    });
    app.post("/__test/faults/release", (c) => {
      faults?.releaseAll();
      return c.json({ ok: true });
    });
  }
  if (hooks.includes("publisher")) {
    // Holds registrar publishing (before claiming): lets a test stop the process between commit and publish.
    app.put("/__test/publisher", async (c) => {
      const { hold } = await body(c, z.object({ hold: z.boolean() }).strict());
      if (!publisher)
        throw new ApiError(409, "no-registrar", "start the backend with a registrar to hold its publisher");
      if (hold) publisher.hold();
      else publisher.release();
      return c.json({ hold });
    });
  }
}
