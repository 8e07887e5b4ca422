// Queries of the registrar outbox (migration 0002): one row per applied revision of an account, written in the
// revision's own transaction, claimed by a publisher with a short lease and marked delivered after the registrar
// holds a snapshot at or above that revision. Leases use the database's clock, shared by every backend process.
import { sql, type Compilable } from "kysely";
import type { Db, Tx } from "../store/schema.ts";

/** How long a claim keeps other publishers away. Correctness does not rest on it: the registrar ignores stale revisions. */
const LEASE = sql.raw("interval '5 seconds'");

/** The insert that joins the apply's batch: "revision N of account A must be published". */
export function outboxInsert(tx: Tx, accountId: string, revision: number, now: Date): Compilable {
  return tx.insertInto("registrar_outbox").values({ account_id: accountId, revision, created_at: now });
}

/** Accounts with undelivered rows that nobody holds a live claim on, oldest first. */
export async function claimableAccounts(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("registrar_outbox")
    .select("account_id")
    .where("delivered_at", "is", null)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", sql<Date>`now()`)]))
    .groupBy("account_id")
    .orderBy(sql`min(created_at)`)
    .execute();
  return rows.map((r) => r.account_id);
}

/**
 * Claims the account's undelivered rows (rows another process is claiming right now are skipped, not waited
 * for) and returns the highest revision claimed, or null when there was nothing to claim.
 */
export async function claim(db: Db, accountId: string): Promise<number | null> {
  const { rows } = await sql<{ revision: number }>`
    update registrar_outbox set claimed_until = now() + ${LEASE}
    where (account_id, revision) in (
      select account_id, revision from registrar_outbox
      where account_id = ${accountId} and delivered_at is null and (claimed_until is null or claimed_until < now())
      for update skip locked)
    returning revision`.execute(db);
  return rows.length === 0 ? null : Math.max(...rows.map((r) => r.revision));
}

/** Every undelivered row at or below `revision` is done: the registrar holds that revision or a later one. */
export async function markDelivered(
  db: Db,
  accountId: string,
  revision: number,
  outcome: "published" | "not-served",
): Promise<void> {
  await db
    .updateTable("registrar_outbox")
    .set({ delivered_at: sql<Date>`now()`, outcome, claimed_until: null })
    .where("account_id", "=", accountId)
    .where("revision", "<=", revision)
    .where("delivered_at", "is", null)
    .execute();
}

/** A failed delivery: counted, its error kept (never a secret: messages only), the claim released. */
export async function markFailed(db: Db, accountId: string, error: string): Promise<void> {
  await db
    .updateTable("registrar_outbox")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error.slice(0, 500), claimed_until: null }))
    .where("account_id", "=", accountId)
    .where("delivered_at", "is", null)
    .execute();
}

/** Undelivered revisions, per account (inspection and tests). */
export async function undelivered(
  db: Db,
  accountId?: string,
): Promise<{ accountId: string; revision: number; attempts: number }[]> {
  let q = db
    .selectFrom("registrar_outbox")
    .select(["account_id", "revision", "attempts"])
    .where("delivered_at", "is", null);
  if (accountId !== undefined) q = q.where("account_id", "=", accountId);
  const rows = await q.orderBy("account_id").orderBy("revision").execute();
  return rows.map((r) => ({ accountId: r.account_id, revision: r.revision, attempts: r.attempts }));
}
