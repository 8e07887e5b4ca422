/**
 * Reads of single objects that arrive together (a refresh reads every resource at once) are answered by
 * list calls for up to `maxIds` ids each: `GET /v1/devices?ids=a,b,c`. Group commit, as for writes: the
 * first reads go at once; while `maxCallsInFlight` calls are out, later reads wait and leave together with
 * the next call, so the busier the engine, the fewer and larger the calls. An id the list leaves out does
 * not exist (in this account): the caller sees `undefined`, as a 404 of a single read would say.
 */
export interface ReadBatcherOptions {
  maxIds?: number;
  maxCallsInFlight?: number;
}

interface Waiting<T> {
  resolve: (value: T | undefined) => void;
  reject: (error: unknown) => void;
}

export class ReadBatcher<T extends { id: string }> {
  private readonly list: (ids: string[]) => Promise<T[]>;
  private readonly maxIds: number;
  private readonly maxCallsInFlight: number;
  private waiting = new Map<string, Waiting<T>[]>();
  private inFlight = 0;
  private scheduled = false;

  constructor(list: (ids: string[]) => Promise<T[]>, options: ReadBatcherOptions = {}) {
    this.list = list;
    this.maxIds = options.maxIds ?? 100;
    this.maxCallsInFlight = options.maxCallsInFlight ?? 2;
  }

  get(id: string): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const list = this.waiting.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(id, list);
      this.schedule();
    });
  }

  /** Calls after the current turn of the event loop, so reads asked for in the same turn leave together. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxCallsInFlight || this.waiting.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxCallsInFlight && this.waiting.size > 0) {
      const batch = new Map<string, Waiting<T>[]>();
      for (const [id, waiters] of this.waiting) {
        if (batch.size === this.maxIds) break;
        batch.set(id, waiters);
        this.waiting.delete(id);
      }
      this.inFlight++;
      void this.answer(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async answer(batch: Map<string, Waiting<T>[]>): Promise<void> {
    try {
      const found = new Map((await this.list([...batch.keys()])).map((o) => [o.id, o]));
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(found.get(id));
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }
}
