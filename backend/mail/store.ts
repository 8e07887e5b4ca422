// Queries of the mail outbox (migration 0005): a row is enqueued in the transaction of whatever made the mail due,
// claimed by one worker at a time with a lease, and closed as delivered (the relay accepted it) or refused (the
// relay refused it for good). Every time is the database's clock, shared by every backend process.
import { sql } from "kysely";
import { auditInsert, systemActor } from "../audit/store.ts";
import type { Db, MailOutboxTable, Tx } from "../store/schema.ts";
import type { Selectable } from "kysely";

export type MailRow = Selectable<MailOutboxTable>;

/** What `last_error` keeps at most (it is for an operator reading one row). */
const MAX_ERROR_CHARS = 500;

/**
 * Claims up to `limit` due rows nobody holds a live lease on (rows another process is claiming right now are
 * skipped, not waited for), oldest due first, each leased for `leaseSeconds`.
 */
export async function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<MailRow[]> {
  const { rows } = await sql<MailRow>`
    update mail_outbox set claimed_until = now() + make_interval(secs => ${leaseSeconds})
    where id in (
      select id from mail_outbox
      where delivered_at is null and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return rows;
}

/** The relay accepted the mail: closed as delivered, with its audit row, in one transaction. */
export async function markDelivered(
  db: Db,
  row: MailRow,
  audit: { requestId: string; at: Date; bytes: number },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("mail_outbox")
      .set((eb) => ({
        delivered_at: sql<Date>`now()`,
        outcome: "delivered",
        claimed_until: null,
        attempts: eb("attempts", "+", 1),
        last_error: null,
      }))
      .where("id", "=", row.id)
      .execute();
    await auditInsert(tx, systemActor(row.account_id, audit.requestId), audit.at, "mail.delivered", "mail", row.id, {
      messageId: row.message_id,
      bytes: audit.bytes,
      attempts: row.attempts + 1,
    }).execute();
  });
}

/**
 * The relay refused the mail for good (or it cannot be built): closed as refused, with its audit row. A row
 * another process has closed meanwhile (its lease ran out and it delivered the mail) is left as it is.
 */
export async function markRefused(
  db: Db,
  row: MailRow,
  refusal: { requestId: string; at: Date; smtpCode: number | null; reply: string; reason: string },
): Promise<void> {
  await db.transaction().execute(async (tx: Tx) => {
    const closed = await tx
      .updateTable("mail_outbox")
      .set((eb) => ({
        delivered_at: sql<Date>`now()`,
        outcome: "refused",
        claimed_until: null,
        attempts: eb("attempts", "+", 1),
        last_error: refusal.reply.slice(0, MAX_ERROR_CHARS),
      }))
      .where("id", "=", row.id)
      .where("delivered_at", "is", null)
      .executeTakeFirst();
    if (closed.numUpdatedRows === 0n) return;
    await auditInsert(tx, systemActor(row.account_id, refusal.requestId), refusal.at, "mail.refused", "mail", row.id, {
      messageId: row.message_id,
      smtpCode: refusal.smtpCode,
      reply: refusal.reply.slice(0, MAX_ERROR_CHARS),
      reason: refusal.reason,
      attempts: row.attempts + 1,
    }).execute();
  });
}

/** A failed attempt to retry: counted, its error kept, the lease released, due again after `delayMs`. */
export async function markRetry(db: Db, id: string, error: string, delayMs: number): Promise<void> {
  await db
    .updateTable("mail_outbox")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      last_error: error.slice(0, MAX_ERROR_CHARS),
      claimed_until: null,
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`,
    }))
    .where("id", "=", id)
    .where("delivered_at", "is", null)
    .execute();
}

/** A claimed row given back untried (the worker stopped before sending it): due again at once. */
export async function releaseClaim(db: Db, id: string): Promise<void> {
  await db.updateTable("mail_outbox").set({ claimed_until: null }).where("id", "=", id).execute();
}

/**
 * Every lease released: for a store only this process uses (the embedded store's data-dir lock), whose leases
 * can only be left by a process that died.
 */
export async function releaseAllClaims(db: Db): Promise<void> {
  await db
    .updateTable("mail_outbox")
    .set({ claimed_until: null })
    .where("delivered_at", "is", null)
    .where("claimed_until", "is not", null)
    .execute();
}

/** How long until the earliest undelivered row is due (0 when one is due now); null when none waits. */
export async function msUntilNextDue(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom("mail_outbox")
    .select(sql<number | null>`extract(epoch from (min(next_attempt_at) - now())) * 1000`.as("ms"))
    .where("delivered_at", "is", null)
    .executeTakeFirst();
  const ms = row?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

/** Undelivered mails (what waits while mail is not configured). */
export async function countWaiting(db: Db): Promise<number> {
  const row = await db
    .selectFrom("mail_outbox")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("delivered_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Delivered mails whose attachment file is still to be removed (a removal a crash interrupted included). */
export async function attachmentsToRemove(db: Db, limit: number): Promise<{ id: string; path: string }[]> {
  const rows = await db
    .selectFrom("mail_outbox")
    .select(["id", "attachment_path"])
    .where("outcome", "=", "delivered")
    .where("remove_attachment", "=", true)
    .where("attachment_path", "is not", null)
    .where("attachment_removed_at", "is", null)
    .orderBy("delivered_at")
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.attachment_path === null ? [] : [{ id: r.id, path: r.attachment_path }]));
}

export async function markAttachmentRemoved(db: Db, id: string): Promise<void> {
  await db
    .updateTable("mail_outbox")
    .set({ attachment_removed_at: sql<Date>`now()` })
    .where("id", "=", id)
    .execute();
}

/** One mail's state (inspection and tests). */
export async function mailState(db: Db, id: string): Promise<MailRow | undefined> {
  return db.selectFrom("mail_outbox").selectAll().where("id", "=", id).executeTakeFirst();
}
