// Loads the live configuration of an account and writes back what a replay changed.
import type { Compilable } from "kysely";
import type { Db, Tx } from "../store/schema.ts";
import { deviceUsers, type Config, type Context, type DeviceState, type Licence, type UserState } from "./model.ts";
import type { Op } from "./operations.ts";
import type { OpenChangeSet } from "./cache.ts";

/** The live configuration; `only` narrows it to those objects and the devices linked to them (reads by id). */
export async function loadConfig(db: Db | Tx, accountId: string, only?: readonly string[]): Promise<Config> {
  let dq = db.selectFrom("devices").selectAll().where("account_id", "=", accountId);
  let uq = db.selectFrom("users").selectAll().where("account_id", "=", accountId);
  if (only !== undefined) {
    if (only.length === 0) return { devices: new Map(), users: new Map(), links: new Map() };
    dq = dq.where((eb) => eb.or([eb("id", "in", only), eb("user_id", "in", only)]));
    uq = uq.where("id", "in", only);
  }
  // Sequential on purpose: a PGlite transaction is one connection.
  const devices = await dq.execute();
  const users = await uq.execute();
  const c: Config = { devices: new Map(), users: new Map(), links: new Map() };
  for (const u of users) {
    c.users.set(u.id, {
      id: u.id,
      clientReference: u.client_reference,
      name: u.name,
      extension: u.extension,
      licenceId: u.licence_id,
      areaPrefix: u.area_prefix,
      outboundCallerId: u.outbound_caller_id,
      recording: u.recording,
      liveVersion: u.version,
      createdAt: u.created_at,
      updatedAt: u.updated_at,
    });
    c.links.set(u.id, new Set());
  }
  for (const d of devices) {
    c.devices.set(d.id, {
      id: d.id,
      clientReference: d.client_reference,
      name: d.name,
      licenceId: d.licence_id,
      sipUsername: d.sip_username,
      ha1: d.ha1,
      passwordFingerprint: d.password_fingerprint,
      liveVersion: d.version,
      createdAt: d.created_at,
      updatedAt: d.updated_at,
    });
    if (d.user_id !== null) {
      const set = c.links.get(d.user_id) ?? new Set<string>();
      set.add(d.id);
      c.links.set(d.user_id, set);
    }
  }
  return c;
}

/** The account's licences (`licenceIds`: only those) and numbers. */
export async function loadContext(
  db: Db | Tx,
  accountId: string,
  numbers: string[],
  licenceIds?: readonly string[],
): Promise<Context> {
  if (licenceIds !== undefined && licenceIds.length === 0) return { licences: new Map(), numbers };
  let q = db
    .selectFrom("subscriptions")
    .select(["id", "product", "call_plan", "status", "cancellation_effective_at"])
    .where("account_id", "=", accountId);
  if (licenceIds !== undefined) q = q.where("id", "in", licenceIds);
  const rows = await q.execute();
  const licences = new Map<string, Licence>(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        product: r.product,
        callPlan: r.call_plan,
        status: r.status,
        cancellationEffectiveAt: r.cancellation_effective_at,
      },
    ]),
  );
  return { licences, numbers };
}

export async function loadOps(db: Db | Tx, changeSetId: string): Promise<Op[]> {
  const rows = await db
    .selectFrom("change_set_ops")
    .select(["op"])
    .where("change_set_id", "=", changeSetId)
    .where("seq", ">", 0)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.op as Op);
}

/** Pending change sets per object id: open change sets of the account whose operations touch it (or `objectIds`). */
export async function loadPending(
  db: Db | Tx,
  accountId: string,
  objectIds?: readonly string[],
): Promise<Map<string, string[]>> {
  if (objectIds !== undefined && objectIds.length === 0) return new Map();
  let q = db
    .selectFrom("change_set_ops")
    .innerJoin("change_sets", "change_sets.id", "change_set_ops.change_set_id")
    .select(["change_set_ops.object_id", "change_set_ops.change_set_id"])
    .where("change_sets.account_id", "=", accountId)
    .where("change_sets.status", "=", "open");
  if (objectIds !== undefined) q = q.where("change_set_ops.object_id", "in", objectIds);
  const rows = await q.execute();
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.object_id) ?? [];
    if (!list.includes(r.change_set_id)) list.push(r.change_set_id);
    out.set(r.object_id, list);
  }
  return out;
}

/** Every open change set of the account with its staged operations, oldest first. */
export async function loadOpenChangeSets(db: Db | Tx, accountId: string): Promise<Map<string, OpenChangeSet>> {
  const rows = await db
    .selectFrom("change_sets")
    .leftJoin("change_set_ops", (j) =>
      j.onRef("change_set_ops.change_set_id", "=", "change_sets.id").on("change_set_ops.seq", ">", 0),
    )
    .select(["change_sets.id", "change_sets.token_id", "change_set_ops.op"])
    .where("change_sets.account_id", "=", accountId)
    .where("change_sets.status", "=", "open")
    .orderBy("change_sets.created_at")
    .orderBy("change_sets.id")
    .orderBy("change_set_ops.seq")
    .execute();
  const out = new Map<string, { tokenId: string; ops: Op[] }>();
  for (const r of rows) {
    const cs = out.get(r.id) ?? { tokenId: r.token_id, ops: [] };
    if (r.op !== null) cs.ops.push(r.op as Op);
    out.set(r.id, cs);
  }
  return out;
}

/** The change sets each object has staged operations in (as `loadPending`), from the open change sets. */
export function pendingOf(openChangeSets: ReadonlyMap<string, OpenChangeSet>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [changeSetId, { ops }] of openChangeSets) addPending(out, changeSetId, ops);
  return out;
}

/** Records in `pending` that `ops`, staged in `changeSetId`, touch their objects; lists are replaced, not changed. */
export function addPending(pending: Map<string, string[]>, changeSetId: string, ops: readonly Op[]): void {
  const add = (objectId: string) => {
    const list = pending.get(objectId) ?? [];
    if (!list.includes(changeSetId)) pending.set(objectId, [...list, changeSetId]);
  };
  for (const op of ops) {
    add(op.id);
    if (op.op === "user.link" || op.op === "user.unlink") add(op.deviceId);
  }
}

function sameUser(a: UserState, b: UserState): boolean {
  return (
    a.name === b.name &&
    a.extension === b.extension &&
    a.licenceId === b.licenceId &&
    a.areaPrefix === b.areaPrefix &&
    a.outboundCallerId === b.outboundCallerId &&
    JSON.stringify(a.recording) === JSON.stringify(b.recording)
  );
}

function sameDevice(a: DeviceState, b: DeviceState): boolean {
  return a.name === b.name && a.licenceId === b.licenceId && a.ha1 === b.ha1;
}

/**
 * The writes that turn `before` into `after` (unexecuted), the ids of the objects they change, and of those
 * the ones whose version moves. Linking a device to a user changes the user (its device list), not the
 * device: the device's owner is updated but its version stays, so a client holding the device's ETag is
 * not told it is stale because of a user's edit.
 */
export function persistConfig(
  tx: Tx,
  accountId: string,
  before: Config,
  after: Config,
  now: Date,
): { changed: string[]; versioned: string[]; queries: Compilable[] } {
  const changed: string[] = [];
  const ownerOnly = new Set<string>();
  const queries: Compilable[] = [];
  for (const id of before.devices.keys())
    if (!after.devices.has(id)) {
      queries.push(tx.deleteFrom("devices").where("id", "=", id));
      changed.push(id);
    }
  for (const id of before.users.keys())
    if (!after.users.has(id)) {
      // Devices still pointing at a deleted user are unlinked below; the FK is deferred to commit.
      queries.push(tx.deleteFrom("users").where("id", "=", id));
      changed.push(id);
    }
  const linksOf = (c: Config, userId: string): string => [...(c.links.get(userId) ?? [])].sort().join(",");
  for (const [id, u] of after.users) {
    const old = before.users.get(id);
    const row = {
      name: u.name,
      extension: u.extension,
      licence_id: u.licenceId,
      area_prefix: u.areaPrefix,
      outbound_caller_id: u.outboundCallerId,
      recording: JSON.stringify(u.recording),
      updated_at: now,
    };
    if (!old) {
      queries.push(
        tx.insertInto("users").values({
          ...row,
          id,
          account_id: accountId,
          client_reference: u.clientReference,
          version: 1,
          created_at: now,
        }),
      );
      changed.push(id);
    } else if (!sameUser(old, u) || linksOf(before, id) !== linksOf(after, id)) {
      queries.push(
        tx
          .updateTable("users")
          .set((eb) => ({ ...row, version: eb("version", "+", 1) }))
          .where("id", "=", id),
      );
      changed.push(id);
    }
  }
  const ownersBefore = deviceUsers(before);
  const ownersAfter = deviceUsers(after);
  for (const [id, d] of after.devices) {
    const old = before.devices.get(id);
    const owner = ownersAfter.get(id)?.[0] ?? null;
    const row = {
      name: d.name,
      licence_id: d.licenceId,
      ha1: d.ha1,
      password_fingerprint: d.passwordFingerprint,
      user_id: owner,
      updated_at: now,
    };
    if (!old) {
      queries.push(
        tx.insertInto("devices").values({
          ...row,
          id,
          account_id: accountId,
          client_reference: d.clientReference,
          sip_username: d.sipUsername,
          version: 1,
          created_at: now,
        }),
      );
      changed.push(id);
    } else if (!sameDevice(old, d)) {
      queries.push(
        tx
          .updateTable("devices")
          .set((eb) => ({ ...row, version: eb("version", "+", 1) }))
          .where("id", "=", id),
      );
      changed.push(id);
    } else if ((ownersBefore.get(id)?.[0] ?? null) !== owner) {
      queries.push(tx.updateTable("devices").set({ user_id: owner, updated_at: now }).where("id", "=", id));
      changed.push(id);
      ownerOnly.add(id);
    }
  }
  return { changed, versioned: changed.filter((id) => !ownerOnly.has(id)), queries };
}
