// Rate limiting: a token bucket per key (a token's id, or a client address), in this process.
import { ApiError } from "../errors.ts";

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly options: RateLimitOptions;
  /** What the limit counts, for the 429's message. */
  private readonly counted: string;
  constructor(options: RateLimitOptions, counted = "requests for this token") {
    this.options = options;
    this.counted = counted;
  }
  /** Takes one request from the token's bucket or throws 429 with Retry-After. */
  take(key: string, nowMs: number = performance.now()): void {
    const { perSecond, burst } = this.options;
    const b = this.buckets.get(key) ?? { tokens: burst, at: nowMs };
    b.tokens = Math.min(burst, b.tokens + ((nowMs - b.at) / 1000) * perSecond);
    b.at = nowMs;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
      throw new ApiError(
        429,
        "rate-limited",
        `too many ${this.counted}; retry after ${retryAfter} s`,
        {},
        { "Retry-After": String(retryAfter) },
      );
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
  }
}
