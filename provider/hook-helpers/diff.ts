/**
 * `diff` for every resource: compares the inputs the program declares now with the outputs recorded in
 * state, field by field (deep-diff), so a preview names exactly what will change and nothing changes
 * perpetually. Fields listed as order-insensitive compare as sets; unknown values count as changes.
 */
import type * as pulumi from "@pulumi/pulumi";
import deepDiff from "deep-diff";
import { containsUnknown } from "./unknowns.ts";
import type { Inputs } from "./inputs.ts";

export interface DiffSpec {
  /** Input fields the resource manages; anything else in state (ids, status, versions) is ignored. */
  fields: readonly string[];
  /** Fields whose change needs a new object. */
  replaceOn?: readonly string[];
  /** Array fields compared without regard to order. */
  unordered?: readonly string[];
  /** Defaults the program may omit: an omitted field equals its default. */
  defaults?: Inputs;
  /** Fields the program may leave to the backend: when omitted, whatever is live is fine. */
  followLiveWhenOmitted?: readonly string[];
  /**
   * Live fields (not inputs) that must hold one value: another value recorded in state (read by a refresh)
   * is a change, which the update restores — e.g. a licence scheduled for cancellation in the portal.
   */
  liveMustBe?: Inputs;
}

function comparable(spec: DiffSpec, field: string, value: unknown): unknown {
  const v = value === undefined ? spec.defaults?.[field] : value;
  if (spec.unordered?.includes(field) && Array.isArray(v)) return [...(v as unknown[])].map(String).sort();
  return v;
}

/** The top-level fields whose declared value differs from state. */
export function changedFields(spec: DiffSpec, olds: Inputs, news: Inputs): string[] {
  const live = Object.entries(spec.liveMustBe ?? {})
    .filter(([field, wanted]) => olds[field] !== undefined && olds[field] !== wanted)
    .map(([field]) => field);
  const declared = spec.fields.filter((field) => {
    const after = news[field];
    if (after === undefined && spec.followLiveWhenOmitted?.includes(field)) return false;
    if (containsUnknown(after)) return true;
    return deepDiff.diff(comparable(spec, field, olds[field]), comparable(spec, field, after)) !== undefined;
  });
  return [...declared, ...live];
}

/** The engine's answer for the fields `changed` (from `changedFields`): a change, and which fields replace. */
export function diffOf(spec: DiffSpec, changed: readonly string[]): pulumi.dynamic.DiffResult {
  const replaces = changed.filter((f) => spec.replaceOn?.includes(f));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}
