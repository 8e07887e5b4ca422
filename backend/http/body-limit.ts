// How large a request body may be: refused with 413 before it is read, from Content-Length when given, else
// as it streams in, so a huge body costs neither memory nor parsing.
import { bodyLimit } from "hono/body-limit";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";

const MiB = 1024 * 1024;

/** Every route's limit, except a batch's: the largest honest request (a user with 20 devices) is about 2 KiB. */
export const MAX_BODY_BYTES = MiB;
/** POST /v1/batch carries up to 100 requests. */
export const MAX_BATCH_BODY_BYTES = 4 * MiB;

/** POST /v1/plan-checks carries a whole estate's operations (about 500 bytes a user with its devices). */
export const MAX_PLAN_CHECK_BODY_BYTES = 16 * MiB;

/** The largest body `path` accepts, in bytes. */
export function maxBodyBytes(path: string): number {
  if (path === "/v1/batch") return MAX_BATCH_BODY_BYTES;
  return path === "/v1/plan-checks" ? MAX_PLAN_CHECK_BODY_BYTES : MAX_BODY_BYTES;
}

export function limitBodies(): MiddlewareHandler {
  return async (c, next) => {
    const maxSize = maxBodyBytes(c.req.path);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(
          413,
          "body-too-large",
          `the request body is larger than ${maxSize} bytes, this route's limit`,
        );
      },
    })(c, next);
  };
}
