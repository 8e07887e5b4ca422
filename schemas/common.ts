// Shared shapes: identifiers, versions, client references, phone numbers. Pure zod, no I/O.
import { z } from "zod";
import { ruleParams } from "./problem.ts";

/** Server-assigned object id: a kind prefix and 20 lowercase base32 characters, e.g. `dev_…`. */
export const Id = z.string().regex(/^[a-z]{2,4}_[a-z0-9]{10,40}$/, "must be an object id such as dev_…");

/** Optimistic-concurrency version; also sent as the ETag `"<version>"`. */
export const Version = z.number().int().min(0);

/** Client-chosen reference, unique per account and kind; lets a retried create find what it made. */
export const ClientReference = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:/-]+$/, "letters, digits and . _ : / - only");

/** E.164 phone number: + and 8 to 15 digits, no leading zero. */
/** `a,b,c`: up to 100 object ids, so a client reading many objects asks once. */
export const IdList = z
  .string()
  .regex(
    /^[a-z]{2,4}_[a-z0-9]{10,40}(,[a-z]{2,4}_[a-z0-9]{10,40}){0,99}$/,
    "must be 1 to 100 comma-separated object ids",
  );

export const E164 = z.string().regex(/^\+[1-9][0-9]{7,14}$/, "must be an E.164 number such as +442079460000");

/** An instant in ISO 8601 UTC. */
export const Instant = z.iso.datetime();

/** IANA time zone name; checked for existence by `isTimeZone` (uses Intl, no I/O). */
export const TimeZone = z
  .string()
  .min(1)
  .refine((tz) => isTimeZone(tz), {
    message: "must be an IANA time zone such as Europe/London",
    params: ruleParams("time-zone"),
  });

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const Pending = z
  .object({
    pending: z.boolean().describe("true when some open change set has staged changes to this object"),
    pendingChangeSets: z.array(Id),
  })
  .meta({ id: "Pending" });
