/**
 * The only code that speaks HTTP to the provisioning backend. It owns the keep-alive pool, timeouts,
 * retries (backoff with full jitter, honouring Retry-After), the bound on requests in flight, and the
 * translation of problem documents into typed errors. Callers never see a token in an error message.
 */
import { Agent, type Dispatcher, request } from "undici";
import { BATCH_HEADERS, type BatchResponse } from "../schemas/batch.ts";
import { DEFAULT_READ_TIMEOUT_SECONDS, DEFAULT_WRITE_TIMEOUT_SECONDS } from "../schemas/timeouts.ts";
import { ApiError, TransportError } from "./errors.ts";
import { RequestBatcher, type BatchedAnswer, type BatchedRequest } from "./request-batcher.ts";

export interface HttpClientOptions {
  endpoint: string;
  token: string;
  /** Requests in flight from this process at once; the rest queue. */
  maxInFlight?: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** Per-attempt time limit for headers and body. */
  timeoutMs?: number;
  /** Total time one read (GET) may take from its first attempt, retries and waits included. */
  readDeadlineMs?: number;
  /** Total time one write may take from its first attempt; past it, its outcome is reported unknown. */
  writeDeadlineMs?: number;
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
  /**
   * May travel in one `POST /v1/batch` with other requests made at the same time (staged writes of parallel
   * hooks). Only the change-set, If-Match and Idempotency-Key headers go with it; the answer is its own.
   */
  batchable?: boolean;
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
  private readonly readDeadlineMs: number;
  private readonly writeDeadlineMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly userAgent: string;
  /** Requests sent, retries included: the benchmark's requests-per-resource figure. */
  requestsSent = 0;
  /** Writes (requests other than GET) started so far and those not answered yet (see provider/reads/stack-reads.ts). */
  readonly writes = { started: 0, inFlight: 0 };
  private readonly batcher = new RequestBatcher((requests) => this.sendTogether(requests));
  /** Off once the backend answers that it has no batch route (an older version): requests then go alone. */
  private batching = true;

  constructor(options: HttpClientOptions) {
    this.endpoint = new URL(options.endpoint.endsWith("/") ? options.endpoint : `${options.endpoint}/`);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.readDeadlineMs = options.readDeadlineMs ?? DEFAULT_READ_TIMEOUT_SECONDS * 1000;
    this.writeDeadlineMs = options.writeDeadlineMs ?? DEFAULT_WRITE_TIMEOUT_SECONDS * 1000;
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

  private url(path: string): URL {
    return new URL(path.replace(/^\//, ""), this.endpoint);
  }

  private headers(extra: Record<string, string> | undefined, withBody: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      accept: "application/json, application/problem+json",
      "user-agent": this.userAgent,
      ...extra,
      ...(withBody ? { "content-type": "application/json" } : {}),
    };
  }

  async request<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    if (method === "GET") return this.send<T>(method, path, options);
    this.writes.started++;
    this.writes.inFlight++;
    try {
      return await this.send<T>(method, path, options);
    } finally {
      this.writes.inFlight--;
    }
  }

  private async send<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    options: RequestOptions,
  ): Promise<HttpResponse<T>> {
    const idempotent = options.idempotent ?? method !== "POST";
    const url = this.url(path);
    const headers = this.headers(options.headers, options.body !== undefined);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const batched: BatchedRequest | undefined = options.batchable
      ? {
          method,
          path,
          headers: Object.fromEntries(
            BATCH_HEADERS.flatMap((name) =>
              options.headers?.[name] === undefined ? [] : [[name, options.headers[name]]],
            ),
          ),
          ...(options.body === undefined ? {} : { body: options.body }),
        }
      : undefined;

    // The deadline runs from the first attempt, not from the queue for a slot in flight.
    const deadlineMs = method === "GET" ? this.readDeadlineMs : this.writeDeadlineMs;
    let startedAt: number | undefined;
    const start = () => (startedAt ??= performance.now());
    const remaining = () => deadlineMs - (performance.now() - start());
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.maxAttempts;
      let response: HttpResponse<T>;
      try {
        if (batched && this.batching) {
          start();
          response = (await this.batcher.submit(batched)) as HttpResponse<T>;
        } else {
          response = await this.once<T>(method, url, headers, payload, () =>
            Math.max(1, Math.floor(Math.min(this.timeoutMs, remaining()))),
          );
        }
      } catch (error) {
        const transport = new TransportError(method, url.pathname, error, {
          // Past the deadline only by the timer's lateness: say the deadline the user set.
          waitedMs: Math.min(deadlineMs, performance.now() - start()),
          write: method !== "GET",
        });
        const wait = backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs);
        // A request that may have reached the backend is repeated only when repeating it is safe.
        if (last || !(idempotent || transport.notSent) || remaining() <= wait) throw transport;
        await sleep(wait);
        continue;
      }
      if (response.status < 400 || options.accept?.includes(response.status)) return response;
      const retryable = retryableStatuses.has(response.status) && (idempotent || response.status === 429);
      const wait =
        parseRetryAfter(response.headers["retry-after"]) ?? backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs);
      if (!retryable || last || remaining() <= wait)
        throw ApiError.from(method, url.pathname, response.status, response.body);
      await sleep(wait);
    }
  }

  private async once<T>(
    method: Dispatcher.HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    /** This attempt's time limit, asked once a slot in flight is held. */
    attemptTimeoutMs: () => number = () => this.timeoutMs,
  ): Promise<HttpResponse<T>> {
    const release = await this.inFlight.acquire();
    try {
      const timeoutMs = attemptTimeoutMs();
      this.requestsSent++;
      const response = await request(url, {
        method,
        headers,
        body,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
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

  /** Several requests as one `POST /v1/batch` (one alone as itself); each answer as if it had gone alone. */
  private async sendTogether(requests: BatchedRequest[]): Promise<BatchedAnswer[]> {
    const alone = (r: BatchedRequest) =>
      this.once(
        r.method,
        this.url(r.path),
        this.headers(r.headers, r.body !== undefined),
        r.body === undefined ? undefined : JSON.stringify(r.body),
      );
    if (requests.length === 1 || !this.batching) return Promise.all(requests.map(alone));
    const outer = await this.once<BatchResponse>(
      "POST",
      this.url("/v1/batch"),
      this.headers(undefined, true),
      JSON.stringify({ requests }),
    );
    if (outer.status === 200)
      return outer.body.responses.map((r) => ({ status: r.status, body: r.body ?? undefined, headers: r.headers }));
    if (outer.status === 404 && (outer.body as { code?: unknown } | undefined)?.code === "no-route") {
      this.batching = false;
      return Promise.all(requests.map(alone));
    }
    return requests.map(() => outer); // the batch itself was refused (throttled, unavailable): each request hears why
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
