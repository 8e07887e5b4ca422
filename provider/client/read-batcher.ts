/**
 * Reads of single objects that arrive together (a refresh reads every resource at once) are answered by
 * one list call for up to `maxIds` ids: `GET /v1/devices?ids=a,b,c`. An id the list leaves out does not
 * exist (in this account): the caller sees `undefined`, as a 404 of a single read would say.
 */
export interface ReadBatcherOptions {
  lingerMs?: number;
  maxIds?: number;
}

interface Waiting<T> {
  resolve: (value: T | undefined) => void;
  reject: (error: unknown) => void;
}

export class ReadBatcher<T extends { id: string }> {
  private readonly list: (ids: string[]) => Promise<T[]>;
  private readonly lingerMs: number;
  private readonly maxIds: number;
  private waiting = new Map<string, Waiting<T>[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(list: (ids: string[]) => Promise<T[]>, options: ReadBatcherOptions = {}) {
    this.list = list;
    this.lingerMs = options.lingerMs ?? 5;
    this.maxIds = options.maxIds ?? 100;
  }

  get(id: string): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const list = this.waiting.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(id, list);
      if (this.waiting.size >= this.maxIds) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = new Map();
    if (batch.size > 0) void this.answer(batch);
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
