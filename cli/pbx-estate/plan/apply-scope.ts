/**
 * What an apply of a plan may do, beside the plan people read: the step each resource takes (for the
 * provider's planned-steps guard, provider/planned-steps.ts), and the resources to read again before the
 * update (its targeted refresh), those whose live object differs from what state records.
 */
import { isDeepStrictEqual } from "node:util";
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import {
  changedFields,
  deviceDiff,
  subscriptionDiff,
  userDiff,
  type DiffSpec,
  type PlannedSteps,
} from "../../../provider/contract.ts";
import type { EstateResourceKind, EstateStep } from "./steps.ts";

const specs: Record<EstateResourceKind, DiffSpec> = {
  user: userDiff,
  device: deviceDiff,
  "user-licence": subscriptionDiff,
  "device-licence": subscriptionDiff,
};

/**
 * The planned step of every resource the plan creates, updates or replaces, by client reference: the
 * fields are the provider's own (`changedFields` between the state before and the declared inputs, as its
 * `diff` compares them), and for a claiming licence the licence it claims (`plannedClaims`). Removals are the
 * removal guard's (`removedIds`); every other resource stays the same.
 */
export function plannedStepsOf(
  steps: readonly EstateStep[],
  claims: ReadonlyMap<string, string | null> = new Map(),
): PlannedSteps {
  const planned: PlannedSteps = {};
  for (const step of steps) {
    if (step.op !== "create" && step.op !== "update" && step.op !== "replace") continue;
    const reference = step.new?.inputs.clientReference;
    if (typeof reference !== "string") continue;
    const fields =
      step.op === "create" || !step.old || !step.new
        ? []
        : changedFields(specs[step.kind], step.old.outputs, step.new.inputs);
    const claim = claims.get(reference);
    planned[reference] = { op: step.op, fields, ...(claim !== undefined ? { claim } : {}) };
  }
  return planned;
}

const PBX_TYPE_PREFIX = "pulumi-nodejs:dynamic/pbx:";

/**
 * Whether a resource must be read again before an update that trusts state: its live object (as the
 * provider's `read` maps it; undefined when gone) differs in any way from the outputs state recorded, a
 * version moved by an edit in the portal included. Any way of planning decides with this.
 */
export function changedOutside(recorded: Record<string, unknown>, live: Record<string, unknown> | undefined): boolean {
  return live === undefined || !isDeepStrictEqual(recorded, live);
}

/**
 * The estate's resources changed outside pbx-estate (see `changedOutside`), from the refresh steps of a
 * `preview --refresh`: what a full refresh would write. Every other resource's recorded state already is
 * what the plan started from.
 */
export function changedOutsideUrns(events: readonly EngineEvent[]): string[] {
  const urns = new Set<string>();
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata;
    if (!meta || meta.op !== "refresh" || !meta.type.startsWith(PBX_TYPE_PREFIX) || !meta.old) continue;
    if (changedOutside(meta.old.outputs ?? {}, meta.new ? (meta.new.outputs ?? {}) : undefined)) urns.add(meta.urn);
  }
  return [...urns].sort();
}
