// The applied configuration of an account as the registrar's revision snapshot (registrar/README.md):
// devices with their HA1 and owner, users with their dialling settings. Read from the store: only applied
// state, never a change set's. HA1 is a secret: callers must not log what this returns.
import type { RevisionSnapshot, SnapshotRecording } from "../../schemas/revision-snapshot.ts";
import type { Db } from "../store/schema.ts";

export type { RevisionSnapshot };

export async function revisionSnapshot(db: Db, accountId: string): Promise<RevisionSnapshot> {
  // Repeatable read: the revision number and the rows come from one committed state (PostgreSQL's default,
  // read committed, could mix two applies' rows under one revision number).
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (tx) => {
      const account = await tx
        .selectFrom("accounts")
        .select("revision")
        .where("id", "=", accountId)
        .executeTakeFirstOrThrow();
      const devices = await tx
        .selectFrom("devices")
        .select(["sip_username", "ha1", "user_id"])
        .where("account_id", "=", accountId)
        .orderBy("sip_username")
        .execute();
      const users = await tx
        .selectFrom("users")
        .innerJoin("subscriptions", "subscriptions.id", "users.licence_id")
        .select([
          "users.id",
          "users.extension",
          "users.area_prefix",
          "users.outbound_caller_id",
          "users.recording",
          "subscriptions.call_plan",
        ])
        .where("users.account_id", "=", accountId)
        .orderBy("users.extension")
        .execute();
      return {
        revision: account.revision,
        devices: devices.map((d) => ({ sipUsername: d.sip_username, ha1: d.ha1, userId: d.user_id })),
        users: users.map((u) => ({
          id: u.id,
          extension: u.extension,
          areaPrefix: u.area_prefix,
          callerId: u.outbound_caller_id,
          callPlan: u.call_plan as RevisionSnapshot["users"][number]["callPlan"],
          recording: snapshotRecording(u.recording),
        })),
      };
    });
}

/**
 * Where the user's calls are recorded to, or null when recording is off. The user's own rules require the
 * address and subject once recording is on; a row without them is treated as off rather than published
 * half-filled.
 */
function snapshotRecording(stored: { enabled: boolean; email?: string; subject?: string }): SnapshotRecording | null {
  if (!stored.enabled || stored.email === undefined || stored.subject === undefined) return null;
  return { email: stored.email, subject: stored.subject };
}
