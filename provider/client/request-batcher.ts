/**
 * Requests with group commit over HTTP: staged writes that the engine's parallel hooks make at the same
 * time travel together as one `POST /v1/batch`. The first requests go at once; while `maxBatchesInFlight`
 * batches are out, later ones wait and leave together with the next. Each request keeps its own answer,
 * so retries, If-Match and refusals work per request exactly as if it had been sent alone.
 */
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

interface Waiting {
  request: BatchedRequest;
  resolve: (answer: BatchedAnswer) => void;
  reject: (error: unknown) => void;
}

export interface RequestBatcherOptions {
  /** Requests per batch; the backend takes at most 100. */
  maxItems?: number;
  maxBatchesInFlight?: number;
}

export class RequestBatcher {
  private readonly send: SendRequests;
  private readonly maxItems: number;
  private readonly maxBatchesInFlight: number;
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(send: SendRequests, options: RequestBatcherOptions = {}) {
    this.send = send;
    this.maxItems = options.maxItems ?? 100;
    this.maxBatchesInFlight = options.maxBatchesInFlight ?? 2;
  }

  submit(request: BatchedRequest): Promise<BatchedAnswer> {
    return new Promise<BatchedAnswer>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes after the current turn of the event loop, so requests made in the same turn leave together. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxBatchesInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxBatchesInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxItems);
      this.inFlight++;
      void this.send(batch.map((w) => w.request))
        .then(
          (answers) => {
            if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} requests was answered ${answers.length} times`);
            batch.forEach((w, i) => w.resolve(answers[i]!));
          },
        )
        .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}
