// `node bench/backend-scale.ts [-- --sizes 1000,10000 --rounds 5]` → bench/results/backend-scale.json.
// How the backend's checks and listings grow with an account: in process, on a configuration of n users
// (each with a user licence, a linked device and its licence: five resources a user), with no store or HTTP
// in the way. Per size: the copy of the configuration a write starts from, the time of one operation
// applied to a copy (the checks of
// staging and apply), the planner's client-reference lookup of a create, one apply (copy, operations, live
// rules: linear in the account by design), and listings by ids and by prefix. `ratios` divides each figure
// at the largest size by the smallest's, from one run: about 1 for what must not grow with the account,
// about the size ratio for what is linear per apply or per listing.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Caller } from "../backend/accounts/caller.ts";
import type { ChangeSetService } from "../backend/change-sets/service.ts";
import type { Config, Context, DeviceState, Licence, UserState } from "../backend/configuration/model.ts";
import { cloneConfig } from "../backend/configuration/model.ts";
import { applyOp, replay, type Op } from "../backend/configuration/operations.ts";
import { DeviceService } from "../backend/devices/service.ts";
import { existingDeviceByReference } from "../backend/devices/validator.ts";
import { UserService } from "../backend/users/service.ts";
import { existingUserByReference } from "../backend/users/validator.ts";

const { values } = parseArgs({
  options: { sizes: { type: "string", default: "1000,10000" }, rounds: { type: "string", default: "5" } },
});
const sizes = values.sizes.split(",").map(Number);
const rounds = Number(values.rounds);
const NUMBER = "+442079460000";
/** Operations replayed per round for the per-operation figures. */
const OPS = 400;

function licence(id: string, product: string): Licence {
  const callPlan = product === "user-licence" ? "pay-as-you-go" : null;
  return { id, product, callPlan, status: "active", cancellationEffectiveAt: null };
}

function account(users: number): { config: Config; ctx: Context } {
  const config: Config = { devices: new Map(), users: new Map(), links: new Map() };
  const licences = new Map<string, Licence>();
  for (let i = 0; i < users; i++) {
    const user: UserState = {
      id: `usr_${i}`,
      clientReference: `pbx:bench:user-${i}`,
      name: `User ${i}`,
      extension: String(10000 + i),
      licenceId: `sub_u${i}`,
      areaPrefix: "020",
      outboundCallerId: NUMBER,
      recording: { enabled: false },
      liveVersion: 1,
      createdAt: null,
      updatedAt: null,
    };
    const device: DeviceState = {
      id: `dev_${i}`,
      clientReference: `pbx:bench:device-${i}`,
      name: `Phone ${i}`,
      licenceId: `sub_d${i}`,
      sipUsername: `sip${i}`,
      ha1: "h",
      passwordFingerprint: "f",
      liveVersion: 1,
      createdAt: null,
      updatedAt: null,
    };
    config.users.set(user.id, user);
    config.devices.set(device.id, device);
    config.links.set(user.id, new Set([device.id]));
    licences.set(user.licenceId, licence(user.licenceId, "user-licence"));
    licences.set(device.licenceId, licence(device.licenceId, "sip-device-licence"));
  }
  // Free licences for what the operations create or move to.
  for (let i = 0; i < OPS; i++) {
    licences.set(`sub_nu${i}`, licence(`sub_nu${i}`, "user-licence"));
    licences.set(`sub_nd${i}`, licence(`sub_nd${i}`, "sip-device-licence"));
    licences.set(`sub_md${i}`, licence(`sub_md${i}`, "sip-device-licence"));
  }
  return { config, ctx: { licences, numbers: [NUMBER] } };
}

/** `count` operations of the kinds a provider's run stages: creates, links, licence moves, unlink and delete. */
function operations(count: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; ops.length < count; i++) {
    const user = `usr_new${i}`;
    const device = `dev_new${i}`;
    ops.push(
      {
        op: "user.create",
        id: user,
        clientReference: null,
        name: `New ${i}`,
        extension: String(90000 + i),
        licenceId: `sub_nu${i}`,
        areaPrefix: "020",
        outboundCallerId: NUMBER,
        recording: { enabled: false },
      },
      {
        op: "device.create",
        id: device,
        clientReference: null,
        name: `New phone ${i}`,
        licenceId: `sub_nd${i}`,
        sipUsername: `sipnew${i}`,
        ha1: "h",
        passwordFingerprint: "f",
      },
      { op: "user.link", id: user, deviceId: device },
      { op: "device.update", id: `dev_${i}`, licenceId: `sub_md${i}` },
      { op: "user.unlink", id: `usr_${i}`, deviceId: `dev_${i}` },
      { op: "device.delete", id: `dev_${i}` },
    );
  }
  return ops.slice(0, count);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Median milliseconds of `f` over the rounds (after one warm-up call); `setup` runs untimed before each. */
async function time<S>(f: (prepared: S) => unknown, setup: () => S = () => undefined as S): Promise<number> {
  await f(setup());
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const prepared = setup();
    // Collect what the setup left (a copy of the whole configuration) before the clock starts, so the
    // collector's work for it is not counted as the measured step's (run with --expose-gc: npm run does).
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    await f(prepared);
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const caller = { account: { id: "acc_bench", numbers: [NUMBER] }, tokenId: "tok_bench" } as unknown as Caller;

async function measure(users: number): Promise<Record<string, number>> {
  const { config, ctx } = account(users);
  // A fake of the change-set engine's read side: the services' listings over this configuration.
  const changes = { view: async () => ({ config, ctx, pending: new Map() }) } as unknown as ChangeSetService;
  const deviceService = new DeviceService({
    changes,
    registrar: { host: "127.0.0.1", port: 5060, transport: "udp" },
    realm: "pbx-estate",
  });
  const userService = new UserService({ changes });
  const ops = operations(OPS);
  const copyMs = await time(() => replay(config, ctx, [], false));
  // On a copy made untimed before each round, as staging changes its projection write by write.
  const opsMs = await time(
    (copy: Config) => {
      for (const op of ops) applyOp(copy, ctx, op);
    },
    () => cloneConfig(config),
  );
  const lookupMs = await time(() => {
    for (let i = 0; i < OPS; i++) {
      existingUserByReference(config, `pbx:bench:absent-${i}`);
      existingDeviceByReference(config, `pbx:bench:absent-${i}`);
    }
  });
  const applyMs = await time(() => replay(config, ctx, ops.slice(0, 64), true));
  const ids = Array.from({ length: 100 }, (_, i) => `dev_${Math.floor((i * users) / 100)}`).join(",");
  const userIds = ids.replaceAll("dev_", "usr_");
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    users,
    copyMs: round(copyMs),
    perOpMicros: round((opsMs * 1000) / OPS),
    createLookupMicros: round((lookupMs * 1000) / OPS),
    applyOf64OpsMs: round(applyMs),
    devicesByIdsMs: round(await time(() => deviceService.list(caller, null, { ids }))),
    usersByIdsMs: round(await time(() => userService.list(caller, null, { ids: userIds }))),
    devicesByPrefixMs: round(await time(() => deviceService.list(caller, null, { clientReferencePrefix: "pbx:" }))),
    usersByPrefixMs: round(await time(() => userService.list(caller, null, { clientReferencePrefix: "pbx:" }))),
  };
}

const results: Record<string, Record<string, number>> = {};
for (const n of sizes) await measure(n); // warm-up: the first size measured would pay for compiling the code
for (const n of sizes) results[n] = await measure(n);
const smallest = results[Math.min(...sizes)] ?? {};
const largest = results[Math.max(...sizes)] ?? {};
const ratios = Object.fromEntries(
  Object.keys(largest)
    .filter((k) => k !== "users")
    .map((k) => [k, Math.round(((largest[k] ?? NaN) / (smallest[k] ?? NaN)) * 100) / 100]),
);
const report = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  rounds,
  operationsPerRound: OPS,
  sizes: results,
  ratios,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/backend-scale.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
