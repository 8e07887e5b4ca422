/**
 * Group commit: writes that arrive while a transaction for the same key is running wait, and the next
 * transaction takes all of them. The first write of an idle key goes at once, so a lone client waits for
 * nothing; a busy one pays one transaction per wave instead of one per write. `run` must settle every
 * item of its batch (answer or refuse each) and not throw.
 */
export class GroupCommit<I> {
  private readonly run: (key: string, batch: I[]) => Promise<void>;
  private readonly queues = new Map<string, I[]>();

  constructor(run: (key: string, batch: I[]) => Promise<void>) {
    this.run = run;
  }

  submit(key: string, item: I): void {
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(item); // a drain is under way for this key and takes it next
      return;
    }
    this.queues.set(key, [item]);
    void this.drain(key);
  }

  private async drain(key: string): Promise<void> {
    for (let batch = this.queues.get(key) ?? []; batch.length > 0; batch = this.queues.get(key) ?? []) {
      this.queues.set(key, []);
      await this.run(key, batch);
    }
    this.queues.delete(key);
  }
}
