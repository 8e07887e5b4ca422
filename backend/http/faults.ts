// Fault injection for tests only: enabled when the server starts with `faults: true`, driven by /__test/faults.
import { ApiError } from "../errors.ts";

export interface FaultRule {
  method: string;
  /** Regular expression matched against the request path. */
  path: string;
  /**
   * After commit: hold keeps the response until released or the server stops; drop closes the connection;
   * unavailable answers 503 with Retry-After instead of the real answer.
   */
  action: "hold" | "drop" | "unavailable";
  /** How many matching requests this rule affects (default 1). */
  times?: number;
}

export interface ErrorShare {
  status: 503 | 429;
  /** Every n-th request (counted from when the share was set) is answered with `status`. */
  every: number;
  retryAfterSeconds: number;
}

export class Faults {
  private rules: (FaultRule & { left: number })[] = [];
  private share: ErrorShare | null = null;
  private counter = 0;
  private readonly held = new Set<() => void>();

  set(rules: FaultRule[], share: ErrorShare | null): void {
    this.rules = rules.map((r) => ({ ...r, left: r.times ?? 1 }));
    this.share = share;
    this.counter = 0;
  }

  /** Before the handler: maybe answer with an injected 503/429. */
  before(): void {
    if (!this.share) return;
    this.counter++;
    if (this.counter % this.share.every === 0)
      throw new ApiError(
        this.share.status,
        this.share.status === 429 ? "rate-limited" : "unavailable",
        "injected fault",
        {},
        { "Retry-After": String(this.share.retryAfterSeconds) },
      );
  }

  /** After the handler committed: the action to take for this request, if any. */
  after(method: string, path: string): FaultRule["action"] | null {
    for (const r of this.rules) {
      if (r.left > 0 && r.method.toUpperCase() === method.toUpperCase() && new RegExp(r.path).test(path)) {
        r.left--;
        return r.action;
      }
    }
    return null;
  }

  /** How many responses are held right now. */
  get heldCount(): number {
    return this.held.size;
  }

  hold(): Promise<void> {
    return new Promise((resolve) => this.held.add(resolve));
  }

  releaseAll(): void {
    for (const r of this.held) r();
    this.held.clear();
  }
}
