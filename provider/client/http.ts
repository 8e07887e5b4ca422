/**
 * The only code that speaks HTTP to the provisioning backend. It owns the keep-alive pool, timeouts,
 * retries (backoff with full jitter, honouring Retry-After), the bound on requests in flight, and the
 * translation of problem documents into typed errors. Callers never see a token in an error message.
 */
import { Agent, type Dispatcher, request } from "undici";
import { ApiError, TransportError } from "./errors.ts";

export interface HttpClientOptions {
  endpoint: string;
  token: string;
  /** Requests in flight from this process at once; the rest queue. */
  maxInFlight?: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** Per-attempt time limit for headers and body. */
  timeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Safe to repeat after a failure whose outcome is unknown (a timeout, a dropped connection, a 5xx).
   * GET, PUT and DELETE are; a POST is when it carries an Idempotency-Key or a client reference the
   * backend deduplicates on.
   */
  idempotent?: boolean;
  /** Statuses the caller handles itself: returned instead of thrown. */
  accept?: number[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

const retryableStatuses = new Set([429, 502, 503, 504]);

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff: a uniformly random wait up to base × 2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/** A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function flatHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export class HttpClient {
  readonly endpoint: URL;
  private readonly token: string;
  private readonly agent: Agent;
  private readonly inFlight: Semaphore;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly userAgent: string;
  /** Requests sent, retries included: the benchmark's requests-per-resource figure. */
  requestsSent = 0;

  constructor(options: HttpClientOptions) {
    this.endpoint = new URL(options.endpoint.endsWith("/") ? options.endpoint : `${options.endpoint}/`);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: options.maxInFlight ?? 16,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: 10_000,
    });
    this.inFlight = new Semaphore(options.maxInFlight ?? 16);
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.userAgent = options.userAgent ?? "pbx-estate-provider";
  }

  async request<T>(method: Dispatcher.HttpMethod, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const idempotent = options.idempotent ?? method !== "POST";
    const url = new URL(path.replace(/^\//, ""), this.endpoint);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: "application/json, application/problem+json",
      "user-agent": this.userAgent,
      ...options.headers,
    };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }

    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.maxAttempts;
      let response: HttpResponse<T>;
      try {
        response = await this.once<T>(method, url, headers, payload);
      } catch (error) {
        const transport = new TransportError(method, url.pathname, error);
        // A request that may have reached the backend is repeated only when repeating it is safe.
        if (last || !(idempotent || transport.notSent)) throw transport;
        await sleep(backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs));
        continue;
      }
      if (response.status < 400 || options.accept?.includes(response.status)) return response;
      const retryable = retryableStatuses.has(response.status) && (idempotent || response.status === 429);
      if (!retryable || last) throw ApiError.from(method, url.pathname, response.status, response.body);
      const hinted = parseRetryAfter(response.headers["retry-after"]);
      await sleep(hinted ?? backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs));
    }
  }

  private async once<T>(
    method: Dispatcher.HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<HttpResponse<T>> {
    const release = await this.inFlight.acquire();
    try {
      this.requestsSent++;
      const response = await request(url, {
        method,
        headers,
        body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.body.text();
      let parsed: unknown = undefined;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { status: response.statusCode, body: parsed as T, headers: flatHeaders(response.headers) };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

