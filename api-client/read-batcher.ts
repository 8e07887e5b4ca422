/**
 * Reads of single objects that arrive together (a refresh reads every resource at once) are answered by
 * list calls for up to `maxIds` ids each: `GET /v1/devices?ids=a,b,c`, group-committed like writes
 * (./group-commit.ts). An id the list leaves out does not exist (in this account): the caller sees
 * `undefined`, as a 404 of a single read would say.
 */
import { GroupCommitQueue } from "./group-commit.ts";

export interface ReadBatcherOptions {
  maxIds?: number;
  maxCallsInFlight?: number;
}

export class ReadBatcher<T extends { id: string }> {
  private readonly queue: GroupCommitQueue<string, T | undefined>;

  constructor(list: (ids: string[]) => Promise<T[]>, options: ReadBatcherOptions = {}) {
    this.queue = new GroupCommitQueue(
      async (ids) => {
        const found = new Map((await list([...new Set(ids)])).map((o) => [o.id, o]));
        return ids.map((id) => found.get(id));
      },
      { maxItems: options.maxIds ?? 100, maxInFlight: options.maxCallsInFlight ?? 2 },
    );
  }

  get(id: string): Promise<T | undefined> {
    return this.queue.submit(id);
  }
}
