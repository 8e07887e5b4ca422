// A new revision of an account's configuration, written in one statement.
import type { Compilable } from "kysely";
import type { Tx } from "../store/schema.ts";
import { putDevice, putUser, type Config } from "../configuration/model.ts";
import { persistConfig } from "../configuration/store.ts";
import { runBatch } from "../store/batch.ts";
import { outboxInsert } from "../outbox/store.ts";

export interface RevisionWrite {
  accountId: string;
  /** The live configuration the revision replaces, and the one it makes live (stamped in place). */
  before: Config;
  after: Config;
  now: Date;
  changeSetId: string | null;
  operations: number;
  /** The account's revision before this one. */
  current: number;
}

/** Writes the configuration changes, the revision row, its outbox row and `extra(revision)` as one statement. */
export async function commitRevision(
  tx: Tx,
  w: RevisionWrite,
  extra: (revision: number) => Compilable | Compilable[],
): Promise<{ revision: number; changed: string[] }> {
  const { changed, versioned, queries } = persistConfig(tx, w.accountId, w.before, w.after, w.now);
  const revision = w.current + 1;
  queries.push(tx.updateTable("accounts").set({ revision }).where("id", "=", w.accountId));
  queries.push(
    tx.insertInto("revisions").values({
      account_id: w.accountId,
      revision,
      change_set_id: w.changeSetId,
      applied_at: w.now,
      operations: w.operations,
    }),
  );
  // The outbox row commits with the revision, so a crash before publishing loses nothing (backend/outbox/).
  queries.push(outboxInsert(tx, w.accountId, revision, w.now));
  queries.push(...[extra(revision)].flat());
  await runBatch(tx, queries);
  // The in-memory result now mirrors the store: versions and stamps of what changed, on new objects
  // (the old ones may be shared with the configuration before this revision).
  const bumped = new Set(versioned);
  const stamped = <O extends { liveVersion: number | null; createdAt: Date | null; updatedAt: Date | null }>(
    id: string,
    o: O,
  ): O => ({
    ...o,
    liveVersion: bumped.has(id) ? (o.liveVersion ?? 0) + 1 : o.liveVersion,
    createdAt: o.createdAt ?? w.now,
    updatedAt: w.now,
  });
  for (const id of changed) {
    const device = w.after.devices.get(id);
    if (device) putDevice(w.after, stamped(id, device));
    const user = w.after.users.get(id);
    if (user) putUser(w.after, stamped(id, user));
  }
  return { revision, changed };
}
