// Conditional-request and change-set headers.
import type { Context } from "hono";
import { ApiError } from "../errors.ts";

/** The version named by If-Match (`"3"`, `W/"3"` or `3`), or undefined when absent or `*`. */
export function ifMatch(c: Context): number | undefined {
  const raw = c.req.header("if-match");
  if (raw === undefined || raw.trim() === "*") return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(raw);
  if (!m?.[1]) throw new ApiError(400, "bad-if-match", `If-Match must be an ETag such as "3", got ${raw}`);
  return Number(m[1]);
}

export function requireIfMatch(c: Context): number {
  const v = ifMatch(c);
  if (v === undefined)
    throw new ApiError(428, "precondition-required", "this write needs If-Match with the object's current ETag");
  return v;
}

export function changeSetHeader(c: Context): string | null {
  return c.req.header("pbx-change-set") ?? null;
}

export function etag(version: number): string {
  return `"${version}"`;
}
