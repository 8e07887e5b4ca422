// Injectable clock: the system clock in production, a settable one for tests that cross a month end.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at `start` and advances with real time until `set` moves it; tests only. */
export class SettableClock implements Clock {
  private offsetMs: number;
  constructor(start: Date) {
    this.offsetMs = start.getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
}
