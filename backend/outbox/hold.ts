// The test hold of an outbox worker: while held, deliveries wait before claiming anything, so a test can stop a
// process between a commit and its delivery. Released by `release()` or when the worker stops.
export class DeliveryHold {
  private held: { promise: Promise<void>; release(): void } | null = null;

  hold(): void {
    if (this.held) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = null;
  }

  /** Resolves at once unless held; then when released. */
  async passed(): Promise<void> {
    if (this.held) await this.held.promise;
  }
}
