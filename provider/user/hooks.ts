/**
 * PbxUser hooks. A user's fields and its device links are staged together in the process's change set,
 * so a user and its links go live in one revision or not at all.
 */
import type { User, UserUpdate } from "../../schemas/user.ts";
import type { ApplyAnswer } from "../../api-client/index.ts";
import type { ProviderContext, ResourceChanges } from "../context.ts";
import type { Inputs } from "../hook-helpers/inputs.ts";
import { changedFields } from "../hook-helpers/diff.ts";
import { confirmGone, outputsFrom, readBack, stateOf } from "../hook-helpers/outcome.ts";
import { stackOf } from "../references.ts";
import { decideCreate } from "../identity.ts";
import { userDiff, UserInputs, userRecordedDefaults } from "./inputs.ts";

function liveFields(u: User, accountId: string): Inputs {
  return {
    name: u.name,
    extension: u.extension,
    licenceId: u.licenceId,
    callPlan: u.callPlan ?? undefined,
    areaPrefix: u.areaPrefix,
    outboundCallerId: u.outboundCallerId,
    recording: u.recording,
    deviceIds: [...u.deviceIds].sort(),
    clientReference: u.clientReference,
    accountId,
    version: u.version,
  };
}

function declared(props: Inputs): UserInputs {
  const { name, extension, licenceId, callPlan, areaPrefix, outboundCallerId, recording, deviceIds, adopt } = props;
  return UserInputs.parse({
    name,
    extension,
    licenceId,
    callPlan,
    areaPrefix,
    outboundCallerId,
    recording,
    deviceIds,
    adopt,
  });
}

/** The field changes that turn `current` into what is declared (device links are staged separately). */
function patchFor(current: Inputs, inputs: UserInputs): UserUpdate {
  const wanted: Inputs = { ...inputs };
  const fields = changedFields(
    { ...userDiff, fields: userDiff.fields.filter((f) => f !== "deviceIds") },
    current,
    wanted,
  );
  return Object.fromEntries(fields.filter((f) => wanted[f] !== undefined).map((f) => [f, wanted[f]]));
}

async function stageLinks(
  ctx: ProviderContext,
  changeSetId: string,
  userId: string,
  current: readonly string[],
  wanted: readonly string[],
): Promise<void> {
  for (const deviceId of current.filter((d) => !wanted.includes(d)))
    await ctx.api.unlinkDevice(changeSetId, userId, deviceId);
  for (const deviceId of wanted.filter((d) => !current.includes(d)))
    await ctx.api.linkDevice(changeSetId, userId, deviceId);
}

async function stageConverge(
  ctx: ProviderContext,
  changeSetId: string,
  u: User,
  inputs: UserInputs,
  version?: number,
): Promise<void> {
  const patch = patchFor(liveFields(u, ""), inputs);
  if (Object.keys(patch).length > 0) await ctx.api.updateUser(changeSetId, u.id, patch, version);
  await stageLinks(ctx, changeSetId, u.id, u.deviceIds, inputs.deviceIds);
}

/** The user as live after its change set was applied (see hooks/outcome.ts `readBack`). */
function readUser(ctx: ProviderContext, id: string, props: Inputs, answer: ApplyAnswer): Promise<Inputs> {
  const applied = answer.users.find((u) => u.id === id);
  return readBack(ctx, "user", id, props, applied, () => ctx.api.user(id), liveFields, {
    defaults: userRecordedDefaults,
  });
}

export const userHooks: ResourceChanges = {
  async create(ctx, props) {
    const inputs = declared(props);
    const base = String(props.clientReference);

    let existing: User | undefined;
    let reference: string | undefined;
    if (inputs.adopt) {
      existing = await ctx.api.user(inputs.adopt);
      if (!existing) throw new Error(`adopt: user ${inputs.adopt} does not exist in this account`);
    } else {
      const mine = await ctx.references.users.carrying(base);
      const decision = decideCreate(
        base,
        stateOf(base, mine.length),
        mine.map((u) => ({ ...u, live: true })),
      );
      if ("adopt" in decision) existing = mine.find((u) => u.id === decision.adopt.id);
      else reference = decision.create;
    }

    const { result: id, answer } = await ctx.batcher.submit(
      async (cs) => {
        if (existing) {
          await stageConverge(ctx, cs, existing, inputs);
          return existing.id;
        }
        const { deviceIds, adopt: _adopt, ...fields } = inputs;
        const made = await ctx.api.createUser(cs, { ...fields, clientReference: reference, deviceIds });
        // A retried create may answer with the user an earlier attempt staged: make its links what is declared.
        if (!made.created) await stageLinks(ctx, cs, made.user.id, made.user.deviceIds, deviceIds);
        return made.user.id;
      },
      { objectId: (userId) => userId },
    );
    return { id, outs: await readUser(ctx, id, props, answer) };
  },

  async read(ctx, id, props) {
    const u = await ctx.reads.users.get(id, stackOf(props));
    if (!u) {
      await confirmGone(ctx, "user", id, props);
      return {};
    }
    const { accountId } = await ctx.account();
    return { id, props: outputsFrom(props ?? {}, liveFields(u, accountId), userRecordedDefaults) };
  },

  async update(ctx, id, olds, news) {
    const inputs = declared(news);
    const version = typeof olds.version === "number" ? olds.version : undefined;
    const { answer } = await ctx.batcher.submit(
      async (cs) => {
        const current = await ctx.api.user(id, cs);
        if (!current) throw new Error(`user ${id} no longer exists; run \`pulumi refresh\``);
        await stageConverge(ctx, cs, current, inputs, version);
      },
      { objectId: () => id },
    );
    return { outs: await readUser(ctx, id, { ...news, clientReference: olds.clientReference }, answer) };
  },

  async delete(ctx, id, props) {
    const { result } = await ctx.batcher.submit((cs) => ctx.api.deleteUser(cs, id), { objectId: () => id });
    if (result === "gone") await confirmGone(ctx, "user", id, props);
  },
};
