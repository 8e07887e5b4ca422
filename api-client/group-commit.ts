/**
 * Group commit for calls that can travel together. The first items go at once, after the current turn of
 * the event loop so that items submitted in the same turn leave together; while `maxInFlight` batches are
 * out, later items wait and leave together in the next batch of up to `maxItems`. So the busier the
 * engine, the fewer and larger the calls. `send` answers a batch's items in order.
 */
export interface GroupCommitOptions {
  maxItems: number;
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (answer: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitQueue<I, O> {
  private readonly send: (items: I[]) => Promise<O[]>;
  private readonly options: GroupCommitOptions;
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(send: (items: I[]) => Promise<O[]>, options: GroupCommitOptions) {
    this.send = send;
    this.options = options;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxItems);
      this.inFlight++;
      void this.send(batch.map((w) => w.item))
        .then((answers) => {
          if (answers.length !== batch.length)
            throw new Error(`a batch of ${batch.length} items was answered ${answers.length} times`);
          batch.forEach((w, i) => w.resolve(answers[i]!));
        })
        .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}
