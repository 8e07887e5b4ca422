// User operations as a change set records them, and how each changes the configuration.
import { conflict, notFound } from "../errors.ts";
import {
  checkVersion,
  deleteUser,
  putUser,
  setLinks,
  type Config,
  type Context,
  type UserState,
} from "../configuration/model.ts";
import { checkLinkLimit, checkUserFields, requireLinkableDevice } from "./validator.ts";

export type UserFields = Omit<UserState, "id" | "liveVersion" | "createdAt" | "updatedAt">;

export type UserOp =
  | ({ op: "user.create"; id: string; callPlan?: string } & UserFields)
  | {
      op: "user.update";
      id: string;
      ifVersion?: number;
      callPlan?: string;
      patch: Partial<Omit<UserFields, "clientReference">>;
    }
  | { op: "user.delete"; id: string; ifVersion?: number }
  | { op: "user.link"; id: string; deviceId: string; ifVersion?: number }
  | { op: "user.unlink"; id: string; deviceId: string; ifVersion?: number };

function user(c: Config, id: string): UserState {
  const u = c.users.get(id);
  if (!u) throw notFound("user", id);
  return u;
}

/** Applies one user operation to `c` in place, checking the rules that hold at every step. */
export function applyUserOp(c: Config, ctx: Context, op: UserOp): void {
  switch (op.op) {
    case "user.create": {
      if (c.users.has(op.id)) throw conflict("already-exists", `user ${op.id} already exists`);
      const u: UserState = {
        id: op.id,
        clientReference: op.clientReference,
        name: op.name,
        extension: op.extension,
        licenceId: op.licenceId,
        areaPrefix: op.areaPrefix,
        outboundCallerId: op.outboundCallerId,
        recording: op.recording,
        liveVersion: null,
        createdAt: null,
        updatedAt: null,
      };
      checkUserFields(c, ctx, u, op.callPlan, true);
      putUser(c, u);
      setLinks(c, u.id, new Set());
      return;
    }
    case "user.update": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      const next: UserState = { ...u, ...op.patch };
      checkUserFields(
        c,
        ctx,
        next,
        op.callPlan,
        op.patch.licenceId !== undefined && op.patch.licenceId !== u.licenceId,
      );
      putUser(c, next);
      return;
    }
    case "user.delete": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      deleteUser(c, u.id);
      setLinks(c, u.id, undefined); // its devices are unlinked; its licence becomes free
      return;
    }
    case "user.link": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      requireLinkableDevice(c, op.deviceId);
      const linked = new Set(c.links.get(u.id)).add(op.deviceId);
      checkLinkLimit(u.id, linked);
      setLinks(c, u.id, linked);
      return;
    }
    case "user.unlink": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      const set = c.links.get(u.id);
      if (!set?.has(op.deviceId))
        throw conflict("device-not-linked", `device ${op.deviceId} is not linked to user ${u.id}`);
      const rest = new Set(set);
      rest.delete(op.deviceId);
      setLinks(c, u.id, rest);
      return;
    }
  }
}
