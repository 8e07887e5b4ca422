// Delivers the mail outbox: claims due rows with a lease (several backend processes may run one each: claims
// skip each other's rows), builds each mail, hands it to the SMTP relay and closes the row by the relay's answer:
//   accepted (2xx)         → delivered, audit `mail.delivered`, the attachment's file removed unless kept;
//   4xx, down, timed out   → retried after an exponential, jittered, capped backoff (never a busy loop);
//   5xx                    → refused, never retried, audit `mail.refused` with the code and the relay's reply.
// At least once: a row is closed only after the relay accepted, so a process dying between the relay's acceptance
// and that commit sends the mail again once its lease runs out, with the same Message-ID (the one duplicate a
// reader or a deduplicating mailbox can recognise). Logs name mail ids, Message-IDs and counts, never an address,
// a subject, a body or a credential.
import { unlink } from "node:fs/promises";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { Db } from "../store/schema.ts";
import { backoffMs, withJitter } from "../outbox/backoff.ts";
import { DeliveryHold } from "../outbox/hold.ts";
import { AttachmentUnreadableError, composeMail } from "./compose.ts";
import type { MailRelay } from "./relay.ts";
import {
  attachmentsToRemove,
  claimDue,
  markAttachmentRemoved,
  markDelivered,
  markRefused,
  markRetry,
  msUntilNextDue,
  releaseAllClaims,
  releaseClaim,
  type MailRow,
} from "./store.ts";

export interface MailRetryPolicy {
  /** The first retry's delay; each further one doubles it. Default 30 s. */
  baseMs: number;
  /** The longest delay between two attempts. Default 30 min. */
  capMs: number;
  /** A mail still refused for now this long after it was enqueued is given up (refused). Default 5 days. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: MailRetryPolicy = { baseMs: 30_000, capMs: 30 * 60_000, giveUpAfterMs: 5 * 86_400_000 };

export interface MailDelivererDeps {
  db: Db;
  log: Logger;
  /** Stamps audit rows (the outbox's own times are the database's). */
  clock: Clock;
  relay: MailRelay;
  retry?: Partial<MailRetryPolicy>;
  /** Sweep period for rows nobody kicked (another process crashed, a lease ran out). Default 5 s. */
  sweepMs?: number;
  /** How long a claim keeps other workers away; must outlast one send (see RELAY_TIMEOUTS). Default 10 min. */
  leaseSeconds?: number;
  /** Mails sent at once by this process. Default 4. */
  concurrency?: number;
  /**
   * The store is this process's alone (the embedded store's data-dir lock): leases found at start were left by a
   * process that died, and are released at once instead of waiting for them to run out.
   */
  exclusiveStore?: boolean;
}

export class MailDeliverer {
  private readonly deps: MailDelivererDeps;
  private readonly retry: MailRetryPolicy;
  private readonly held = new DeliveryHold();
  private running: Promise<void> | null = null;
  private again = false;
  private sweeper: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(deps: MailDelivererDeps) {
    this.deps = deps;
    this.retry = { ...DEFAULT_RETRY, ...deps.retry };
  }

  /** Delivers whatever is due now, then keeps sweeping. */
  start(): void {
    const first = this.deps.exclusiveStore ? releaseAllClaims(this.deps.db) : Promise.resolve();
    void first.then(
      () => this.kick(),
      (e: unknown) => this.deps.log.warn({ event: "mail.sweep-failed", err: errorName(e) }, "mail outbox sweep failed"),
    );
    this.sweeper = setInterval(() => this.kick(), this.deps.sweepMs ?? 5_000);
    this.sweeper.unref();
  }

  /** A mail was enqueued (and committed): deliver soon. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Test hook: deliveries wait (before claiming) until `release()`. */
  hold(): void {
    this.held.hold();
  }

  release(): void {
    this.held.release();
  }

  /** Resolves when no delivery is in flight in this process. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.wake) clearTimeout(this.wake);
    this.held.release();
    // Sends in flight are aborted (their rows are given back untried below), so stopping never waits on a relay.
    this.deps.relay.close();
    await this.settled();
  }

  private async run(): Promise<void> {
    await this.held.passed();
    const { db, log } = this.deps;
    try {
      for (;;) {
        if (this.stopped) return;
        const rows = await claimDue(db, this.deps.concurrency ?? 4, this.deps.leaseSeconds ?? 600);
        if (rows.length === 0) break;
        // Settled, not all: every send of the batch ends before the next claim (and before stop() closes the store).
        const results = await Promise.allSettled(rows.map((row) => this.deliver(row)));
        for (const r of results)
          if (r.status === "rejected")
            log.warn(
              { event: "mail.attempt-failed", err: errorName(r.reason) },
              "a mail attempt failed; its lease will run out",
            );
      }
      await this.removeDeliveredAttachments();
      this.wakeAtNextDue(await msUntilNextDue(db));
    } catch (e) {
      log.warn({ event: "mail.sweep-failed", err: errorName(e) }, "mail outbox sweep failed; will retry");
    }
  }

  /** Between sweeps, come back when the next retry is due. */
  private wakeAtNextDue(ms: number | null): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    if (ms === null || this.stopped || ms >= (this.deps.sweepMs ?? 5_000)) return;
    this.wake = setTimeout(() => this.kick(), Math.max(ms, 10));
    this.wake.unref();
  }

  private async deliver(row: MailRow): Promise<void> {
    const { db, log, relay, clock } = this.deps;
    if (this.stopped) {
      await releaseClaim(db, row.id);
      return;
    }
    const attempt = row.attempts + 1;
    // The audit row's requestId and the log line's: one id per attempt.
    const requestId = `${row.id}.${attempt}`;
    const fields = { mailId: row.id, messageId: row.message_id, attempt, requestId };
    let message: Buffer;
    try {
      message = await composeMail(row, relay.from);
    } catch (e) {
      if (!(e instanceof AttachmentUnreadableError)) throw e;
      await markRefused(db, row, {
        requestId,
        at: clock.now(),
        smtpCode: null,
        reply: e.message,
        reason: "attachment-unreadable",
      });
      log.warn({ event: "mail.refused", ...fields, reason: "attachment-unreadable", code: e.code }, "mail not sent");
      return;
    }
    const started = performance.now();
    const answer = await relay.send(message, { from: relay.from, to: row.recipient });
    if (answer.kind === "accepted") {
      try {
        await markDelivered(db, row, { requestId, at: clock.now(), bytes: message.length });
      } catch (e) {
        // The relay has the mail; once the lease runs out it is sent again with the same Message-ID.
        log.error({ event: "mail.mark-failed", ...fields, err: errorName(e) }, "mail accepted but not marked");
        return;
      }
      log.info(
        { event: "mail.delivered", ...fields, bytes: message.length, ms: Math.round(performance.now() - started) },
        "mail accepted by the relay",
      );
      await this.removeAttachment(row);
      return;
    }
    if (answer.kind === "permanent") {
      await markRefused(db, row, {
        requestId,
        at: clock.now(),
        smtpCode: answer.smtpCode,
        reply: answer.reply,
        reason: "refused-by-relay",
      });
      log.warn(
        { event: "mail.refused", ...fields, smtpCode: answer.smtpCode, reply: answer.reply },
        "mail refused for good by the relay; not retried",
      );
      return;
    }
    if (this.stopped) {
      // Aborted by stop(): not the mail's fault, so not an attempt; due again at the next start (any process).
      await releaseClaim(db, row.id);
      return;
    }
    const age = Date.now() - row.created_at.getTime();
    if (age >= this.retry.giveUpAfterMs) {
      const reply = `given up after ${attempt} attempts: ${answer.reason}`;
      await markRefused(db, row, { requestId, at: clock.now(), smtpCode: answer.smtpCode, reply, reason: "expired" });
      log.warn({ event: "mail.refused", ...fields, smtpCode: answer.smtpCode, reply }, "mail given up");
      return;
    }
    const delay = withJitter(backoffMs(attempt - 1, this.retry));
    await markRetry(db, row.id, answer.reason, delay);
    log.warn(
      { event: "mail.retry", ...fields, smtpCode: answer.smtpCode, reason: answer.reason, retryInMs: delay },
      "mail not accepted now; will retry",
    );
  }

  private async removeAttachment(row: { id: string; attachment_path: string | null; remove_attachment: boolean }) {
    if (row.attachment_path === null || !row.remove_attachment) return;
    try {
      await unlink(row.attachment_path);
    } catch (e) {
      if ((e as { code?: unknown }).code !== "ENOENT") {
        this.deps.log.warn(
          { event: "mail.attachment-not-removed", mailId: row.id, code: (e as { code?: unknown }).code },
          "the delivered mail's attachment file could not be removed; will retry",
        );
        return;
      }
    }
    await markAttachmentRemoved(this.deps.db, row.id);
  }

  /** Files a crash left behind between a delivery's commit and the file's removal. */
  private async removeDeliveredAttachments(): Promise<void> {
    for (const r of await attachmentsToRemove(this.deps.db, 50))
      await this.removeAttachment({ id: r.id, attachment_path: r.path, remove_attachment: true });
  }
}

/** An error's name and code, never its message (which could quote an address or a reply): for store failures. */
function errorName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? `${e.name} ${code}` : `${e.name}: ${e.message.slice(0, 200)}`;
}
