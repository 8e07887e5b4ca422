// The one error handler: every error becomes an application/problem+json document.
import type { Context } from "hono";
import { ApiError } from "../errors.ts";

export function problemResponse(c: Context, err: unknown): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? undefined;
  let e: ApiError;
  if (err instanceof ApiError) e = err;
  else if (isUniqueViolation(err))
    e = new ApiError(409, "conflict", "a concurrent change took the same value; re-read and retry");
  else if (isSerializationFailure(err))
    e = new ApiError(503, "retry", "a concurrent transaction interfered; retry", {}, { "Retry-After": "1" });
  else {
    (c.get("log") as { error: (o: object, m: string) => void } | undefined)?.error({ err }, "unhandled error");
    e = new ApiError(500, "internal", "internal error");
  }
  const body = {
    type: `https://pbx-estate.invalid/problems/${e.code}`,
    title: e.message.split(":")[0] ?? e.code,
    status: e.status,
    code: e.code,
    detail: e.message,
    instance: c.req.path,
    ...(requestId ? { requestId } : {}),
    ...e.extras,
  };
  return new Response(JSON.stringify(body), {
    status: e.status,
    headers: { "content-type": "application/problem+json", ...e.headers },
  });
}

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
function isUniqueViolation(err: unknown): boolean {
  return pgCode(err) === "23505";
}
function isSerializationFailure(err: unknown): boolean {
  return pgCode(err) === "40001" || pgCode(err) === "40P01";
}
