// Configuration operations: each is one resource's (devices/operations.ts, users/operations.ts). Replaying a
// list of them on a copy of the live state is how staging checks a change set and apply makes it live.
import { applyDeviceOp, type DeviceOp } from "../devices/operations.ts";
import { applyUserOp, type UserOp } from "../users/operations.ts";
import { checkLiveRules } from "./live-rules.ts";
import { cloneConfig, type Config, type Context } from "./model.ts";

export type Op = DeviceOp | UserOp;

function isDeviceOp(op: Op): op is DeviceOp {
  return op.op.startsWith("device.");
}

/** Applies one operation to `c` in place, checking the rules its resource holds at every step. */
export function applyOp(c: Config, ctx: Context, op: Op): void {
  if (isDeviceOp(op)) applyDeviceOp(c, ctx, op);
  else applyUserOp(c, ctx, op);
}

/** Replays `ops` on a copy of `live`; `strict` adds the live-configuration rules (apply). */
export function replay(live: Config, ctx: Context, ops: readonly Op[], strict: boolean): Config {
  const c = cloneConfig(live);
  for (const op of ops) applyOp(c, ctx, op);
  if (strict) checkLiveRules(c);
  return c;
}

/** Users and devices the operations name (some may be gone: deleted by them). */
export function touchedBy(ops: readonly Op[]): { users: string[]; devices: string[] } {
  const users = new Set<string>();
  const devices = new Set<string>();
  for (const op of ops) {
    if (isDeviceOp(op)) devices.add(op.id);
    else users.add(op.id);
    if (op.op === "user.link" || op.op === "user.unlink") devices.add(op.deviceId);
  }
  return { users: [...users], devices: [...devices] };
}
