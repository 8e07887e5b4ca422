/**
 * The operations an apply will make, as the backend's plan check takes them (schemas/plan-check.ts), built
 * from the plan's steps: ids from state, `new:<name>` placeholders for what the apply creates, each operation
 * named by its resource's logical name so a refusal maps back to the estate.
 */
import type { z } from "zod";
import { isUnknown } from "../../../provider/contract.ts";
import type { ResolvedEstate } from "../../../schemas/estate.ts";
import type { PlanCheckRequest, PlannedOperation } from "../../../schemas/plan-check.ts";
import type { EstateStep } from "../plan/steps.ts";

type Operation = z.input<typeof PlannedOperation>;

const placeholder = (name: string): string => `new:${name}`;
const makes = (step: EstateStep): boolean => step.op === "create" || step.op === "replace";
const known = (value: unknown): value is string => typeof value === "string" && !isUnknown(value);
const USER_FIELDS = ["name", "extension", "areaPrefix", "outboundCallerId", "recording"] as const;

export function planCheckRequest(steps: readonly EstateStep[], estate: ResolvedEstate): PlanCheckRequest {
  const byName = new Map(steps.map((s) => [s.name, s]));
  /** The object's id once the apply has run: its live id, the adopted one, or a placeholder for a new one. */
  const idOf = (name: string): string | undefined => {
    const step = byName.get(name);
    if (!step) return undefined;
    if (!makes(step)) return step.old?.id;
    const adopt = step.new?.inputs.adopt;
    return known(adopt) ? adopt : placeholder(name);
  };
  const reference = (step: EstateStep) =>
    known(step.new?.inputs.clientReference) ? { clientReference: step.new.inputs.clientReference } : {};
  const isNew = (step: EstateStep) => makes(step) && !known(step.new?.inputs.adopt);

  const licences = steps
    .filter((s) => (s.kind === "user-licence" || s.kind === "device-licence") && isNew(s) && s.new)
    .map((s) => ({
      id: placeholder(s.name),
      product: String(s.new?.inputs.product) as "user-licence" | "sip-device-licence",
      callPlan: known(s.new?.inputs.callPlan) ? (s.new.inputs.callPlan as "pay-as-you-go") : null,
    }));

  // A licence scheduled for cancellation outside pbx-estate is reinstated by its update, which runs before
  // the objects that hold it (they depend on it).
  const reinstated = steps
    .filter(
      (s) =>
        (s.kind === "user-licence" || s.kind === "device-licence") &&
        s.op === "update" &&
        s.old?.outputs.status === "cancellation-scheduled",
    )
    .map((s) => s.old!.id);

  const replaced: Operation[] = [];
  const changes: Operation[] = [];
  const unlinks: Operation[] = [];
  const links: Operation[] = [];
  const userDeletions: Operation[] = [];
  const deviceDeletions: Operation[] = [];

  for (const step of steps.filter((s) => s.kind === "device")) {
    const inputs = step.new?.inputs ?? {};
    const licenceId = idOf(`${step.name}/licence`) ?? "";
    if (step.op === "replace" && step.old)
      replaced.push({ ref: step.name, op: "device.delete", id: step.old.id, replaced: true });
    if (step.op === "delete" && step.old)
      deviceDeletions.push({ ref: step.name, op: "device.delete", id: step.old.id });
    if (isNew(step))
      changes.push({
        ref: step.name,
        op: "device.create",
        id: placeholder(step.name),
        name: String(inputs.name),
        licenceId,
        ...reference(step),
      });
    if (step.op === "update" && step.old) {
      const licence = byName.get(`${step.name}/licence`);
      const name = known(inputs.name) && inputs.name !== step.old.outputs.name ? { name: inputs.name } : {};
      changes.push({
        ref: step.name,
        op: "device.update",
        id: step.old.id,
        ...name,
        ...(licence && makes(licence) ? { licenceId } : {}),
      });
    }
  }

  for (const step of steps.filter((s) => s.kind === "user")) {
    const inputs = step.new?.inputs ?? {};
    const licence = byName.get(`${step.name}/licence`);
    const licenceId = idOf(`${step.name}/licence`) ?? "";
    const declared = (estate.users.find((u) => u.key === step.key)?.devices ?? []).flatMap(
      (d) => idOf(`device/${d.key}`) ?? [],
    );
    const id = idOf(step.name);
    if (step.op === "replace" && step.old)
      replaced.push({ ref: step.name, op: "user.delete", id: step.old.id, replaced: true });
    if (step.op === "delete" && step.old) userDeletions.push({ ref: step.name, op: "user.delete", id: step.old.id });
    if (isNew(step)) {
      const fields = Object.fromEntries(USER_FIELDS.filter((f) => inputs[f] !== undefined).map((f) => [f, inputs[f]]));
      // The call plan is the new licence's: compared only where the licence is ordered with it.
      const callPlan = licence && isNew(licence) && known(inputs.callPlan) ? { callPlan: inputs.callPlan } : {};
      changes.push({
        ref: step.name,
        op: "user.create",
        id: placeholder(step.name),
        ...fields,
        licenceId,
        ...callPlan,
        ...reference(step),
      } as Operation);
      for (const deviceId of declared)
        links.push({ ref: step.name, op: "user.link", id: placeholder(step.name), deviceId });
    }
    if ((step.op === "update" || step.op === "same") && step.old && id) {
      const live = step.old.outputs;
      const patch = Object.fromEntries(
        USER_FIELDS.filter((f) => inputs[f] !== undefined && JSON.stringify(inputs[f]) !== JSON.stringify(live[f])).map(
          (f) => [f, inputs[f]],
        ),
      );
      if (licence && makes(licence)) patch.licenceId = licenceId;
      if (Object.keys(patch).length > 0) changes.push({ ref: step.name, op: "user.update", id, patch });
      const linked = Array.isArray(live.deviceIds) ? live.deviceIds.filter(known) : [];
      for (const deviceId of linked.filter((d) => !declared.includes(d)))
        unlinks.push({ ref: step.name, op: "user.unlink", id, deviceId });
      for (const deviceId of declared.filter((d) => !linked.includes(d)))
        links.push({ ref: step.name, op: "user.link", id, deviceId });
    }
  }
  // Links after the creates they name, unlinks before the links that move a device; removal goes users → devices.
  return {
    licences,
    reinstated,
    operations: [...replaced, ...unlinks, ...changes, ...links, ...userDeletions, ...deviceDeletions],
  };
}
