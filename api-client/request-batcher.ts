/**
 * Requests with group commit over HTTP (./group-commit.ts): staged writes that the engine's parallel hooks
 * make at the same time travel together as one `POST /v1/batch`. Each request keeps its own answer, so
 * retries, If-Match and refusals work per request exactly as if it had been sent alone.
 */
import { GroupCommitQueue } from "./group-commit.ts";

export interface BatchedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface BatchedAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Sends the requests (one alone, several as a batch) and answers each, in order; rejects if none was answered. */
export type SendRequests = (requests: BatchedRequest[]) => Promise<BatchedAnswer[]>;

export interface RequestBatcherOptions {
  /** Requests per batch; the backend takes at most 100. */
  maxItems?: number;
  maxBatchesInFlight?: number;
}

export class RequestBatcher {
  private readonly queue: GroupCommitQueue<BatchedRequest, BatchedAnswer>;

  constructor(send: SendRequests, options: RequestBatcherOptions = {}) {
    this.queue = new GroupCommitQueue(send, {
      maxItems: options.maxItems ?? 100,
      maxInFlight: options.maxBatchesInFlight ?? 2,
    });
  }

  submit(request: BatchedRequest): Promise<BatchedAnswer> {
    return this.queue.submit(request);
  }
}
