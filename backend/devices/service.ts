// SIP devices: every write is planned against the caller's view and goes through the change-set engine.
import { referenceMatches, type ReferenceFilter } from "../client-reference.ts";
import type { Caller } from "../accounts/caller.ts";
import type { ChangeSetService } from "../change-sets/service.ts";
import type { WriteResult } from "../change-sets/planner.ts";
import type { Device, DeviceCreate, DeviceUpdate, DeviceWithPassword } from "../../schemas/device.ts";
import { deviceView, type Registrar } from "./view.ts";
import { newId, newSipCredentials } from "../ids.ts";
import { notFound } from "../errors.ts";
import { existingDeviceByReference } from "./validator.ts";

export interface DeviceAnswer {
  device: Device | DeviceWithPassword;
  created: boolean;
  revision: number | null;
}

export class DeviceService {
  private readonly changes: ChangeSetService;
  private readonly registrar: Registrar;
  private readonly realm: string;
  constructor(deps: { changes: ChangeSetService; registrar: Registrar; realm: string }) {
    this.changes = deps.changes;
    this.registrar = deps.registrar;
    this.realm = deps.realm;
  }

  private view(r: WriteResult<unknown>, id: string): Device {
    const d = r.config.devices.get(id);
    if (!d) throw notFound("device", id);
    return deviceView(r.config, d, r.pending, this.registrar);
  }

  async create(caller: Caller, cs: string | null, input: DeviceCreate): Promise<DeviceAnswer> {
    const r = await this.changes.write<{ id: string; password: string | null }>(caller, cs, (view) => {
      const existing = existingDeviceByReference(view, input.clientReference);
      if (existing) return { existing: { id: existing, password: null } };
      const id = newId("dev");
      const cred = newSipCredentials(this.realm);
      return {
        op: {
          op: "device.create",
          id,
          clientReference: input.clientReference ?? null,
          name: input.name,
          licenceId: input.licenceId,
          sipUsername: cred.sipUsername,
          ha1: cred.ha1,
          passwordFingerprint: cred.fingerprint,
        },
        value: { id, password: cred.sipPassword },
      };
    });
    const device = this.view(r, r.value.id);
    if (r.value.password === null) return { device, created: false, revision: r.revision };
    return { device: { ...device, sipPassword: r.value.password }, created: true, revision: r.revision };
  }

  async update(
    caller: Caller,
    cs: string | null,
    id: string,
    input: DeviceUpdate,
    ifVersion: number | undefined,
  ): Promise<DeviceAnswer> {
    const r = await this.changes.write(caller, cs, () => ({
      op: { op: "device.update", id, ifVersion, ...input },
      value: null,
    }));
    return { device: this.view(r, id), created: false, revision: r.revision };
  }

  async rotate(caller: Caller, cs: string | null, id: string, ifVersion: number | undefined): Promise<DeviceAnswer> {
    const r = await this.changes.write<string>(caller, cs, (view) => {
      const d = view.devices.get(id);
      if (!d) throw notFound("device", id);
      // The SIP username stays; a new password and its HA1.
      const cred = newSipCredentials(this.realm, d.sipUsername);
      return {
        op: { op: "device.rotate", id, ifVersion, ha1: cred.ha1, passwordFingerprint: cred.fingerprint },
        value: cred.sipPassword,
      };
    });
    return { device: { ...this.view(r, id), sipPassword: r.value }, created: false, revision: r.revision };
  }

  async delete(caller: Caller, cs: string | null, id: string, ifVersion: number | undefined): Promise<number | null> {
    const r = await this.changes.write(caller, cs, () => ({ op: { op: "device.delete", id, ifVersion }, value: null }));
    return r.revision;
  }

  async get(caller: Caller, cs: string | null, id: string): Promise<Device> {
    const v = await this.changes.view(caller, cs, cs === null ? [id] : undefined);
    const d = v.config.devices.get(id);
    if (!d) throw notFound("device", id);
    return deviceView(v.config, d, v.pending, this.registrar);
  }

  async list(caller: Caller, cs: string | null, filter: ReferenceFilter = {}): Promise<Device[]> {
    const ids = filter.ids === undefined ? undefined : [...new Set(filter.ids.split(","))];
    const v = await this.changes.view(caller, cs, cs === null ? ids : undefined);
    const candidates =
      ids !== undefined ? ids.flatMap((id) => v.config.devices.get(id) ?? []) : [...v.config.devices.values()];
    return candidates
      .filter((d) => referenceMatches(d.clientReference, filter))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => deviceView(v.config, d, v.pending, this.registrar));
  }
}
