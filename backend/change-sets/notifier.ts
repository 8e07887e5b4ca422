// Post-commit side effects of a new revision: publishing it to the registrar (here: an event and a log line).
import { EventEmitter } from "node:events";
import type { Logger } from "pino";

export interface RevisionApplied {
  accountId: string;
  revision: number;
  changed: string[];
}

/** Collects events during a request and flushes them only after the transaction committed. */
export class RevisionNotifier {
  readonly events = new EventEmitter();
  private readonly log: Logger;
  constructor(log: Logger) {
    this.log = log;
  }
  published(e: RevisionApplied): void {
    this.log.info(
      { event: "revision.published", accountId: e.accountId, revision: e.revision, changed: e.changed.length },
      "registrar configuration published",
    );
    this.events.emit("revision", e);
  }
}
