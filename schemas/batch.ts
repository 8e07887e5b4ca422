// Several API requests in one HTTP request: each is served exactly as if sent alone, with its own status.
import { z } from "zod";
import { ruleParams } from "./problem.ts";

/** Headers a request in a batch may carry; the batch's own Authorization applies to every one. */
export const BATCH_HEADERS = ["pbx-change-set", "if-match", "idempotency-key"] as const;

export const BatchRequest = z
  .object({
    requests: z
      .array(
        z
          .object({
            method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
            path: z
              .string()
              .max(2000)
              .regex(/^\/v1\/(?!batch(?:[/?]|$))[^\s#]*$/, "an API path under /v1/, not /v1/batch")
              // `/v1/../v1/batch` would pass the pattern and be served as /v1/batch: only a path that a URL
              // parser leaves as it is (no . or .. segment, encoded or not, no backslash) is taken.
              .refine((path) => new URL(path, "http://batch.invalid").pathname === path.split("?")[0], {
                message: "must be a plain path: no . or .. segments and no backslashes",
                params: ruleParams("plain-path"),
              }),
            headers: z.partialRecord(z.enum(BATCH_HEADERS), z.string().max(200)).optional(),
            body: z.unknown().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict()
  .meta({ id: "BatchRequest" });
export type BatchRequest = z.infer<typeof BatchRequest>;

export const BatchResponse = z
  .object({
    responses: z
      .array(
        z.object({
          status: z.number().int(),
          headers: z
            .record(z.string(), z.string())
            .describe("ETag, Retry-After and Location when the request's answer had them"),
          body: z.unknown(),
        }),
      )
      .describe("one per request, in request order"),
  })
  .meta({ id: "BatchResponse" });
export type BatchResponse = z.infer<typeof BatchResponse>;
