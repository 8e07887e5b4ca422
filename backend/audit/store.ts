// The audit log: one row per change, written in the same transaction as the change.
import type { Db, Tx } from "../store/schema.ts";
import type { AuditEntry } from "../../schemas/audit.ts";

export interface Actor {
  accountId: string;
  /** The caller's token id; null when the backend acted by itself (see `systemActor`). */
  tokenId: string | null;
  requestId: string;
}

const secretKeys = new Set(["ha1", "passwordFingerprint", "sipPassword", "password", "token"]);

/** The detail as the API shows values: no secret, and instants as ISO 8601 text. */
function scrub(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !secretKeys.has(k))
        .map(([k, v]) => [k, scrub(v)]),
    );
  return value;
}

/** The audit actor of an authenticated caller. */
export function actorOf(caller: { account: { id: string }; tokenId: string; requestId: string }): Actor {
  return { accountId: caller.account.id, tokenId: caller.tokenId, requestId: caller.requestId };
}

/**
 * The audit actor of something the backend does by itself, such as the mail outbox delivering a mail: no token
 * (tokenId null, never a made-up one) and the id that the action's log line carries as its `requestId`.
 */
export function systemActor(accountId: string, requestId: string): Actor {
  return { accountId, tokenId: null, requestId };
}

export async function writeAudit(
  tx: Tx,
  actor: Actor,
  at: Date,
  action: string,
  objectKind: string,
  objectId: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await auditInsert(tx, actor, at, action, objectKind, objectId, detail).execute();
}

export interface AuditRecord {
  actor: Actor;
  at: Date;
  action: string;
  objectKind: string;
  objectId: string | null;
  detail: Record<string, unknown>;
}

const auditRow = (r: AuditRecord) => ({
  account_id: r.actor.accountId,
  at: r.at,
  token_id: r.actor.tokenId,
  request_id: r.actor.requestId,
  action: r.action,
  object_kind: r.objectKind,
  object_id: r.objectId,
  detail: JSON.stringify(scrub(r.detail)),
  detail_format: CURRENT_DETAIL_FORMAT,
});

/** How rows written now keep their detail (see the audit table's detail_format). */
const CURRENT_DETAIL_FORMAT = 2;

/** The audit row as an unexecuted insert, to batch with the change it records. */
export function auditInsert(
  tx: Tx,
  actor: Actor,
  at: Date,
  action: string,
  objectKind: string,
  objectId: string | null,
  detail: Record<string, unknown>,
) {
  return tx.insertInto("audit").values(auditRow({ actor, at, action, objectKind, objectId, detail }));
}

/** Several audit rows as one unexecuted insert, in order (non-empty). */
export function auditInsertMany(tx: Tx, records: readonly AuditRecord[]) {
  return tx.insertInto("audit").values(records.map(auditRow));
}

export async function listAudit(db: Db, accountId: string, after: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("audit")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("seq", ">", after)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at.toISOString(),
    tokenId: r.token_id,
    requestId: r.request_id,
    action: r.action,
    objectKind: r.object_kind,
    objectId: r.object_id,
    detail: r.detail,
    detailFormat: r.detail_format,
  }));
}
