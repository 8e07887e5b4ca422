// Change sets, their operations and the revisions they became.
import type { Compilable } from "kysely";
import type { Db, Tx } from "../store/schema.ts";
import type { ChangeSet } from "../../schemas/change-set.ts";
import type { Op } from "../configuration/operations.ts";

export async function insertChangeSet(
  db: Db,
  row: { id: string; accountId: string; tokenId: string; description: string | null; now: Date },
): Promise<void> {
  await db
    .insertInto("change_sets")
    .values({
      id: row.id,
      account_id: row.accountId,
      token_id: row.tokenId,
      status: "open",
      description: row.description,
      created_at: row.now,
      applied_revision: null,
    })
    .execute();
}

/**
 * `ops` appended to a change set from sequence number `firstSeq` on, as one unexecuted insert. A link or
 * unlink also gets a marker row under the device's id (negative sequence), so the device shows as pending.
 */
export function appendOpsQuery(tx: Tx, changeSetId: string, firstSeq: number, ops: readonly Op[]): Compilable {
  const rows = ops.flatMap((op, i) => {
    const seq = firstSeq + i;
    const row = { change_set_id: changeSetId, seq, object_id: op.id, op: JSON.stringify(op) };
    return op.op === "user.link" || op.op === "user.unlink"
      ? [row, { change_set_id: changeSetId, seq: -seq, object_id: op.deviceId, op: JSON.stringify({ op: "marker" }) }]
      : [row];
  });
  return tx.insertInto("change_set_ops").values(rows);
}

export async function listChangeSets(db: Db, accountId: string, status?: string): Promise<ChangeSet[]> {
  let q = db
    .selectFrom("change_sets")
    .leftJoin("change_set_ops", (j) =>
      j.onRef("change_set_ops.change_set_id", "=", "change_sets.id").on("change_set_ops.seq", ">", 0),
    )
    .select((eb) => [
      "change_sets.id",
      "change_sets.status",
      "change_sets.description",
      "change_sets.created_at",
      "change_sets.applied_revision",
      eb.fn.count<number>("change_set_ops.seq").as("ops"),
    ])
    .where("change_sets.account_id", "=", accountId)
    .groupBy([
      "change_sets.id",
      "change_sets.status",
      "change_sets.description",
      "change_sets.created_at",
      "change_sets.applied_revision",
    ])
    .orderBy("change_sets.created_at");
  if (status !== undefined) q = q.where("change_sets.status", "=", status);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status as ChangeSet["status"],
    description: r.description,
    operations: Number(r.ops),
    createdAt: r.created_at.toISOString(),
    appliedRevision: r.applied_revision,
  }));
}

export async function listRevisions(
  db: Db,
  accountId: string,
): Promise<{ revision: number; changeSetId: string | null; appliedAt: string; operations: number }[]> {
  const rows = await db
    .selectFrom("revisions")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("revision")
    .execute();
  return rows.map((r) => ({
    revision: r.revision,
    changeSetId: r.change_set_id,
    appliedAt: r.applied_at.toISOString(),
    operations: r.operations,
  }));
}
