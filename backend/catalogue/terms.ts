// The service terms rule, in one place: a request that orders or cancels licences accepts the terms the
// catalogue names now. Orders and cancellations both check it here, so both refuse alike, naming the
// version to accept (`acceptVersion`) and the rule (`current-terms`).
import { ApiError } from "../errors.ts";

export function requireCurrentTerms(
  accepted: string | undefined,
  current: string,
  what: "an order" | "a cancellation",
): void {
  if (accepted === current) return;
  const given = accepted === undefined ? "sends no termsVersion" : `accepts terms ${accepted}`;
  throw new ApiError(
    422,
    "terms-not-accepted",
    `${what} must accept the current service terms ${current}, and this one ${given}: send termsVersion "${current}"`,
    {
      acceptVersion: current,
      fields: [
        { path: "termsVersion", rule: "current-terms", message: `must be the current terms version ${current}` },
      ],
    },
  );
}
