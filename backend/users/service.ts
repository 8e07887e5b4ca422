// PBX users: create, update, delete, link and unlink devices — planned against the caller's view.
import { referenceMatches, type ReferenceFilter } from "../client-reference.ts";
import type { Caller } from "../accounts/caller.ts";
import type { ChangeSetService } from "../change-sets/service.ts";
import type { WriteResult } from "../change-sets/planner.ts";
import type { User, UserCreate, UserUpdate } from "../../schemas/user.ts";
import { userView } from "./view.ts";
import { newId } from "../ids.ts";
import { notFound } from "../errors.ts";
import { existingUserByReference } from "./validator.ts";

export interface UserAnswer {
  user: User;
  created: boolean;
  revision: number | null;
}

export class UserService {
  private readonly changes: ChangeSetService;
  constructor(deps: { changes: ChangeSetService }) {
    this.changes = deps.changes;
  }

  private view(r: WriteResult<unknown>, id: string): User {
    const u = r.config.users.get(id);
    if (!u) throw notFound("user", id);
    return userView(r.config, r.ctx, u, r.pending);
  }

  async create(caller: Caller, cs: string | null, input: UserCreate): Promise<UserAnswer> {
    const r = await this.changes.write<{ id: string; created: boolean }>(caller, cs, (view) => {
      const existing = existingUserByReference(view, input.clientReference);
      if (existing) return { existing: { id: existing, created: false } };
      const id = newId("usr");
      const { clientReference, callPlan, deviceIds, ...fields } = input;
      return {
        op: {
          op: "user.create",
          id,
          clientReference: clientReference ?? null,
          ...(callPlan !== undefined ? { callPlan } : {}),
          ...fields,
        },
        // Devices named at creation are linked in the same write, exactly as separate links would be.
        then: (deviceIds ?? []).map((deviceId) => ({ op: "user.link" as const, id, deviceId })),
        value: { id, created: true },
      };
    });
    return { user: this.view(r, r.value.id), created: r.value.created, revision: r.revision };
  }

  async update(
    caller: Caller,
    cs: string | null,
    id: string,
    input: UserUpdate,
    ifVersion: number | undefined,
  ): Promise<UserAnswer> {
    const { callPlan, ...patch } = input;
    const r = await this.changes.write(caller, cs, () => ({
      op: { op: "user.update", id, ifVersion, ...(callPlan !== undefined ? { callPlan } : {}), patch },
      value: null,
    }));
    return { user: this.view(r, id), created: false, revision: r.revision };
  }

  async link(
    caller: Caller,
    cs: string | null,
    id: string,
    deviceId: string,
    ifVersion: number | undefined,
  ): Promise<UserAnswer> {
    const r = await this.changes.write(caller, cs, () => ({
      op: { op: "user.link", id, deviceId, ifVersion },
      value: null,
    }));
    return { user: this.view(r, id), created: false, revision: r.revision };
  }

  async unlink(
    caller: Caller,
    cs: string | null,
    id: string,
    deviceId: string,
    ifVersion: number | undefined,
  ): Promise<UserAnswer> {
    const r = await this.changes.write(caller, cs, () => ({
      op: { op: "user.unlink", id, deviceId, ifVersion },
      value: null,
    }));
    return { user: this.view(r, id), created: false, revision: r.revision };
  }

  async delete(caller: Caller, cs: string | null, id: string, ifVersion: number | undefined): Promise<number | null> {
    const r = await this.changes.write(caller, cs, () => ({ op: { op: "user.delete", id, ifVersion }, value: null }));
    return r.revision;
  }

  async get(caller: Caller, cs: string | null, id: string): Promise<User> {
    const v = await this.changes.view(caller, cs, cs === null ? [id] : undefined);
    const u = v.config.users.get(id);
    if (!u) throw notFound("user", id);
    return userView(v.config, v.ctx, u, v.pending);
  }

  async list(caller: Caller, cs: string | null, filter: ReferenceFilter = {}): Promise<User[]> {
    const ids = filter.ids === undefined ? undefined : [...new Set(filter.ids.split(","))];
    const v = await this.changes.view(caller, cs, cs === null ? ids : undefined);
    const candidates =
      ids !== undefined ? ids.flatMap((id) => v.config.users.get(id) ?? []) : [...v.config.users.values()];
    return candidates
      .filter((u) => referenceMatches(u.clientReference, filter))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((u) => userView(v.config, v.ctx, u, v.pending));
  }
}
