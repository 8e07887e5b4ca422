// Delivers the registrar outbox after commit: for an account with undelivered rows, claim them, read the account's
// applied configuration (a revision snapshot: never a change set's staged state), write it to the registrar
// (`publishWith`: one transaction there, then live registrations of removed or re-keyed devices are dropped) and
// mark the rows delivered. Kicked after each apply's commit; on start and every `sweepMs` it also sweeps for rows
// left by a crash (this process's or another's). Several processes may run one each: claims skip each other's rows,
// and the registrar ignores a snapshot at or below the revision it holds, so a late delivery never rolls it back.
// HA1 digests are secrets: snapshots are never logged, only revisions and counts.
import type { Logger } from "pino";
import { publishWith } from "../../registrar/index.ts";
import type { PublishResult, RegistrarStore, RevisionSnapshot } from "../../registrar/index.ts";
import type { Db } from "../store/schema.ts";
import { backoffMs } from "./backoff.ts";
import { DeliveryHold } from "./hold.ts";
import { claim, claimableAccounts, markDelivered, markFailed } from "./store.ts";

export interface PublisherDeps {
  db: Db;
  log: Logger;
  /** The registrar's writer, kept open, and Kamailio's control socket (for dropping registrations). */
  registrar: { store: RegistrarStore; ctlSocket: string };
  /** The applied configuration of an account in the registrar's snapshot shape. */
  snapshot(accountId: string): Promise<RevisionSnapshot>;
  /**
   * Whether this registrar serves the account. The registrar's tables hold one estate; rows of accounts it
   * does not serve are closed as "not-served" (see registrar/README.md, "Accounts").
   */
  serves(accountId: string): boolean;
  /** Sweep period for rows nobody kicked (another process crashed, a retry is due). Default 2 s. */
  sweepMs?: number;
}

export class RegistrarPublisher {
  private readonly deps: PublisherDeps;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly held = new DeliveryHold();

  constructor(deps: PublisherDeps) {
    this.deps = deps;
  }

  /** Delivers whatever is pending now, then keeps sweeping. */
  start(): void {
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), this.deps.sweepMs ?? 2_000);
    this.sweeper.unref();
  }

  /** After an apply committed: deliver this account's rows soon. */
  kick(accountId: string): void {
    if (this.stopped) return;
    if (this.running.has(accountId)) {
      this.again.add(accountId);
      return;
    }
    const run = this.deliver(accountId).finally(() => {
      this.running.delete(accountId);
      if (this.again.delete(accountId)) this.kick(accountId);
    });
    this.running.set(accountId, run);
  }

  /**
   * Test hook: deliveries wait (before claiming) until `release()`. With it a test can stop a backend between an
   * apply's commit and its publication.
   */
  hold(): void {
    this.held.hold();
  }

  release(): void {
    this.held.release();
  }

  /** Resolves when no delivery is in flight in this process. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.release();
    await this.settled();
  }

  private sweep(): void {
    if (this.stopped) return;
    claimableAccounts(this.deps.db).then(
      (accounts) => accounts.forEach((a) => this.kick(a)),
      (e: unknown) => this.deps.log.warn({ err: errorText(e) }, "registrar outbox sweep failed"),
    );
  }

  private async deliver(accountId: string): Promise<void> {
    await this.held.passed();
    if (this.stopped) return;
    const { db, log } = this.deps;
    let claimed: number | null = null;
    try {
      claimed = await claim(db, accountId);
      if (claimed === null) return;
      if (!this.deps.serves(accountId)) {
        await markDelivered(db, accountId, claimed, "not-served");
        log.warn(
          { event: "registrar.not-served", accountId, revision: claimed },
          "this registrar serves another account; revision not published",
        );
        return;
      }
      const started = performance.now();
      const snapshot = await this.deps.snapshot(accountId);
      const result: PublishResult = await publishWith(
        this.deps.registrar.store,
        this.deps.registrar.ctlSocket,
        snapshot,
      );
      // The snapshot is read after the rows' commits, so it is at or above every claimed revision.
      await markDelivered(db, accountId, Math.max(claimed, snapshot.revision), "published");
      this.failures.delete(accountId);
      log.info(
        {
          event: "registrar.published",
          accountId,
          revision: snapshot.revision,
          registrarRevision: result.revision,
          written: result.written,
          devices: snapshot.devices.length,
          users: snapshot.users.length,
          dropped: result.dropped.length,
          ms: Math.round(performance.now() - started),
        },
        "revision published to the registrar",
      );
    } catch (e) {
      const n = (this.failures.get(accountId) ?? 0) + 1;
      this.failures.set(accountId, n);
      log.warn(
        { event: "registrar.publish-failed", accountId, attempt: n, err: errorText(e) },
        "publishing to the registrar failed; will retry",
      );
      if (claimed !== null) await markFailed(db, accountId, errorText(e)).catch(() => undefined);
      // Retry with backoff; the sweep would find the rows anyway once their claim is released.
      const retry = setTimeout(() => this.kick(accountId), backoffMs(n, { baseMs: 250, capMs: 30_000 }));
      retry.unref();
    }
  }
}

/** An error's name and message only: never a snapshot or a digest. */
function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
