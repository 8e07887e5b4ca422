/**
 * SipDevice hooks. Every change is staged in the process's change set and returns once applied. The SIP
 * password is known only from a create or rotate answer: it is kept in state as a secret output and
 * carried forward by `read`, since the backend shows only its fingerprint afterwards. A fingerprint that
 * moved under a refresh means the password was rotated elsewhere: `read` marks it, and the update that
 * follows rotates it again (see inputs.ts `PASSWORD_ROTATED_OUTSIDE`).
 */
import type { Device, DeviceWithPassword } from "../../schemas/device.ts";
import type { ApplyAnswer } from "../../api-client/index.ts";
import type { ProviderContext, ResourceChanges } from "../context.ts";
import type { Inputs } from "../hook-helpers/inputs.ts";
import { confirmGone, outputsFrom, readBack, stateOf } from "../hook-helpers/outcome.ts";
import { stackOf } from "../references.ts";
import { decideCreate } from "../identity.ts";
import { DeviceInputs, PASSWORD_ROTATED_OUTSIDE } from "./inputs.ts";

function liveFields(d: Device, accountId: string, password: string | undefined, rotatedOutside = false): Inputs {
  return {
    name: d.name,
    licenceId: d.licenceId,
    clientReference: d.clientReference,
    accountId,
    sipUsername: d.sipUsername,
    // Empty when unknown (an adopted device before its first rotation); never the fingerprint's source.
    sipPassword: password ?? "",
    passwordFingerprint: d.passwordFingerprint,
    registrar: d.registrar,
    version: d.version,
    // Absent on every device but one whose password was rotated elsewhere (lean state: see hooks/outcome.ts).
    passwordChange: rotatedOutside ? PASSWORD_ROTATED_OUTSIDE : undefined,
  };
}

/**
 * Whether the password was rotated outside pbx-estate: the fingerprint recorded when pbx-estate last set or
 * read it differs from the live one, or an earlier refresh already found so (a failed apply's refresh wrote
 * the live fingerprint into state, and must not hide it). State without a fingerprint proves nothing.
 */
function rotatedOutside(recorded: Inputs | undefined, live: Device): boolean {
  if (recorded?.passwordChange === PASSWORD_ROTATED_OUTSIDE) return true;
  return typeof recorded?.passwordFingerprint === "string" && recorded.passwordFingerprint !== live.passwordFingerprint;
}

function declared(props: Inputs): DeviceInputs {
  return DeviceInputs.parse({
    name: props.name,
    licenceId: props.licenceId,
    rotation: props.rotation,
    adopt: props.adopt,
  });
}

/** The device as live after its change set was applied (see hooks/outcome.ts `readBack`). */
function readDevice(
  ctx: ProviderContext,
  id: string,
  props: Inputs,
  password: string | undefined,
  answer: ApplyAnswer,
): Promise<Inputs> {
  const applied = answer.devices.find((d) => d.id === id);
  return readBack(
    ctx,
    "device",
    id,
    props,
    applied,
    () => ctx.api.device(id),
    (d, accountId) => liveFields(d, accountId, password),
    {
      known: { sipPassword: password ?? "" },
    },
  );
}

/** Stages name and licence changes on an existing device, when they differ from what is declared. */
async function stageConverge(
  ctx: ProviderContext,
  changeSetId: string,
  d: Device,
  inputs: DeviceInputs,
  version?: number,
): Promise<void> {
  const patch = {
    ...(d.name !== inputs.name ? { name: inputs.name } : {}),
    ...(d.licenceId !== inputs.licenceId ? { licenceId: inputs.licenceId } : {}),
  };
  if (Object.keys(patch).length > 0) await ctx.api.updateDevice(changeSetId, d.id, patch, version);
}

export const deviceHooks: ResourceChanges = {
  async create(ctx, props) {
    const inputs = declared(props);
    const base = String(props.clientReference);

    if (inputs.adopt) {
      const adoptId = inputs.adopt;
      const found = await ctx.api.device(adoptId);
      if (!found) throw new Error(`adopt: device ${adoptId} does not exist in this account`);
      const { answer } = await ctx.batcher.submit((cs) => stageConverge(ctx, cs, found, inputs), {
        objectId: () => adoptId,
      });
      // The password of an adopted device is not known until it is rotated (change `rotation`).
      return { id: adoptId, outs: await readDevice(ctx, adoptId, props, undefined, answer) };
    }

    const mine = await ctx.references.devices.carrying(base);
    const decision = decideCreate(
      base,
      stateOf(base, mine.length),
      mine.map((d) => ({ ...d, live: true })),
    );
    const { result, answer } = await ctx.batcher.submit(
      async (cs): Promise<DeviceWithPassword> => {
        if ("adopt" in decision) {
          // Made by an earlier attempt whose answer was lost: its password never reached us, so rotate it.
          const orphan = mine.find((d) => d.id === decision.adopt.id)!;
          await stageConverge(ctx, cs, orphan, inputs);
          return ctx.api.rotatePassword(cs, orphan.id);
        }
        const made = await ctx.api.createDevice(cs, {
          name: inputs.name,
          licenceId: inputs.licenceId,
          clientReference: decision.create,
        });
        if ("sipPassword" in made.device) return made.device;
        return ctx.api.rotatePassword(cs, made.device.id); // a retried create answered with the existing device
      },
      { objectId: (device) => device.id },
    );
    return { id: result.id, outs: await readDevice(ctx, result.id, props, result.sipPassword, answer) };
  },

  async read(ctx, id, props) {
    const d = await ctx.reads.devices.get(id, stackOf(props));
    if (!d) {
      await confirmGone(ctx, "device", id, props);
      return {};
    }
    const { accountId } = await ctx.account();
    const known = typeof props?.sipPassword === "string" && props.passwordFingerprint === d.passwordFingerprint;
    // Earlier versions recorded the linked user, which changed under the device whenever a user was linked:
    // every refresh after such an `up` rewrote the device. The link is the user's (`deviceIds`).
    const { userId: _linkedUser, ...recorded } = props ?? {};
    const live = liveFields(d, accountId, known ? (props?.sipPassword as string) : undefined, rotatedOutside(props, d));
    return { id, props: outputsFrom(recorded, live) };
  },

  async update(ctx, id, olds, news) {
    const inputs = declared(news);
    // A new `rotation`, or a password rotated elsewhere (recorded by the refresh before this update).
    const rotate = news.rotation !== olds.rotation || olds.passwordChange === PASSWORD_ROTATED_OUTSIDE;
    const version = typeof olds.version === "number" ? olds.version : undefined;
    const { result, answer } = await ctx.batcher.submit(
      async (cs) => {
        const current = await ctx.api.device(id, cs);
        if (!current) throw new Error(`device ${id} no longer exists; run \`pulumi refresh\``);
        await stageConverge(ctx, cs, current, inputs, version);
        return rotate ? (await ctx.api.rotatePassword(cs, id)).sipPassword : undefined;
      },
      { objectId: () => id },
    );
    const password =
      result ?? (typeof olds.sipPassword === "string" && olds.sipPassword ? olds.sipPassword : undefined);
    return { outs: await readDevice(ctx, id, { ...news, clientReference: olds.clientReference }, password, answer) };
  },

  async delete(ctx, id, props) {
    const { result } = await ctx.batcher.submit((cs) => ctx.api.deleteDevice(cs, id), { objectId: () => id });
    if (result === "gone") await confirmGone(ctx, "device", id, props);
  },
};
