/**
 * The engine's steps, worked out without it. A preview walks the declared resources in the program's order;
 * each one's operation is the provider's own diff of its outputs before (refreshed, or as recorded) with the
 * inputs its `check` gives: no changes is `same`, a field the kind replaces on is `replace`, any other change
 * is `update`; not in state is a `create`, and a resource in state no longer declared is a `delete`. The
 * outputs a later resource takes from an earlier one are what the program sees in a preview: known for a
 * resource kept, its inputs for one changed in place, and a new object's id unknown until the apply.
 */
import { changedFields, diffOf, resourceKinds, unknownValue, type Inputs } from "../../../provider/contract.ts";
import type { DeclaredResource } from "../../../sdk/estate-resources.ts";
import type { EstateStep, ResourceState, StepOp } from "../plan/steps.ts";
import { checkedInputs, providerKindOf, registeredInputs, urnOf, type SeenOutputs } from "./declared-inputs.ts";
import type { RecordedResource } from "./recorded-state.ts";

export interface PreviewSteps {
  steps: EstateStep[];
  /** The ids of the objects the steps remove or replace (as `removedIds` gives them from the engine's events). */
  removedIds: string[];
}

export interface StackNames {
  project: string;
  stack: string;
}

function opOf(resource: DeclaredResource, olds: Inputs, news: Inputs): Exclude<StepOp, "create" | "delete"> {
  const spec = resourceKinds[providerKindOf[resource.type]].diff;
  const diff = diffOf(spec, changedFields(spec, olds, news));
  if (!diff.changes) return "same";
  return diff.replaces && diff.replaces.length > 0 ? "replace" : "update";
}

/**
 * What `preview` would do for the `declared` resources, starting from `priors`: the stack's resources with
 * their outputs refreshed (`preview --refresh`) or as recorded (a preview without refresh).
 */
export function previewSteps(
  names: StackNames,
  declared: readonly DeclaredResource[],
  priors: readonly RecordedResource[],
): PreviewSteps {
  const byName = new Map(priors.map((p) => [p.name, p]));
  const seen = new Map<string, Partial<Record<"id" | "callPlan", unknown>>>();
  const seenOutputs: SeenOutputs = (name) => seen.get(name) ?? {};
  const steps: EstateStep[] = [];
  const removedIds: string[] = [];
  for (const resource of declared) {
    const prior = byName.get(resource.name);
    const news = registeredInputs(names.project, names.stack, resource, seenOutputs);
    const identity = {
      urn: prior?.urn ?? urnOf(names.project, names.stack, resource),
      name: resource.name,
      kind: resource.kind,
      key: resource.key,
    };
    if (!prior) {
      const inputs = checkedInputs(resource, undefined, news);
      steps.push({ ...identity, op: "create", new: { id: "", inputs, outputs: inputs } });
      seen.set(resource.name, { id: unknownValue, callPlan: inputs.callPlan });
      continue;
    }
    const old: ResourceState = { id: prior.id, inputs: prior.inputs, outputs: prior.outputs };
    const checked = checkedInputs(resource, prior.inputs, news);
    const op = opOf(resource, prior.outputs, checked);
    let after: ResourceState;
    if (op === "same") {
      after = { id: prior.id, inputs: checked, outputs: prior.outputs };
      seen.set(resource.name, { id: prior.id, callPlan: prior.outputs.callPlan });
    } else if (op === "update") {
      after = { id: prior.id, inputs: checked, outputs: checked };
      seen.set(resource.name, { id: prior.id, callPlan: checked.callPlan });
    } else {
      // The engine checks a replacement again without the old inputs, as for a create.
      const inputs = checkedInputs(resource, undefined, news);
      after = { id: "", inputs, outputs: inputs };
      seen.set(resource.name, { id: unknownValue, callPlan: inputs.callPlan });
      removedIds.push(prior.id);
    }
    steps.push({ ...identity, op, old, new: after });
  }
  const declaredNames = new Set(declared.map((r) => r.name));
  for (const prior of priors) {
    if (declaredNames.has(prior.name)) continue;
    steps.push({
      urn: prior.urn,
      name: prior.name,
      kind: prior.kind,
      key: prior.key,
      op: "delete",
      old: { id: prior.id, inputs: prior.inputs, outputs: prior.outputs },
    });
    removedIds.push(prior.id);
  }
  return { steps, removedIds: removedIds.sort() };
}

/**
 * A refresh's steps: per recorded resource, the state recorded before and the state read after (the same
 * inputs, the live outputs), or gone. `same` when the read changed nothing.
 */
export function refreshSteps(
  recorded: readonly RecordedResource[],
  live: ReadonlyMap<string, Inputs | undefined>,
): EstateStep[] {
  return recorded.map((r) => {
    const old: ResourceState = { id: r.id, inputs: r.inputs, outputs: r.outputs };
    const base = { urn: r.urn, name: r.name, kind: r.kind, key: r.key, old };
    const outputs = live.get(r.name);
    if (outputs === undefined) return { ...base, op: "delete" as const };
    return {
      ...base,
      op: sameValues(r.outputs, outputs) ? ("same" as const) : ("update" as const),
      new: { id: r.id, inputs: r.inputs, outputs },
    };
  });
}

/** The resources as a refresh leaves them: live outputs, the gone ones left out. */
export function refreshed(
  recorded: readonly RecordedResource[],
  live: ReadonlyMap<string, Inputs | undefined>,
): RecordedResource[] {
  return recorded.flatMap((r) => {
    const outputs = live.get(r.name);
    return outputs === undefined ? [] : [{ ...r, outputs }];
  });
}

function sameValues(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}
