// Parses request bodies and queries with the shared zod schemas; failures become 422 problem documents.
import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, validationError } from "../errors.ts";

/** application/json, with or without parameters, or a `+json` type. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  const text = await c.req.text();
  if (text.trim() === "") raw = {};
  else if (!JSON_MEDIA_TYPE.test(c.req.header("content-type") ?? ""))
    throw new ApiError(415, "unsupported-media-type", "send the body as JSON, with Content-Type: application/json");
  else
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, "malformed-json", "the request body is not JSON");
    }
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError(r.error.issues, "body", { value: raw });
  return r.data;
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const raw = c.req.query();
  const r = schema.safeParse(raw);
  if (!r.success) throw validationError(r.error.issues, "query", { value: raw });
  return r.data;
}
