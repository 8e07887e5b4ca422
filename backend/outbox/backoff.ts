// Retry delays of the outbox workers: exponential, capped, and (for the mail outbox, whose retries many
// processes may share after a relay outage) spread by jitter so they do not all come back at once.

/** `baseMs` doubled `failures` times, at most `capMs`. */
export function backoffMs(failures: number, o: { baseMs: number; capMs: number }): number {
  return Math.min(o.capMs, o.baseMs * 2 ** Math.min(Math.max(failures, 0), 30));
}

/** A delay somewhere in [ms/2, ms]: never sooner than half the backoff, never later than it. */
export function withJitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms / 2 + (random() * ms) / 2);
}
