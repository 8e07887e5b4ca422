/**
 * The engine's step events for an estate's resources, one per resource: which user, device or licence it
 * is (from its key-derived logical name), what the engine will do or did, and its state before and after.
 */
import type { EngineEvent, StepEventStateMetadata } from "@pulumi/pulumi/automation/index.js";
import { parseEstateName } from "../../../sdk/estate-resources.ts";

export type EstateResourceKind = "user" | "user-licence" | "device" | "device-licence";
export type StepOp = "create" | "update" | "replace" | "delete" | "same";

export interface ResourceState {
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface EstateStep {
  urn: string;
  /** The logical name, e.g. `user/john/licence`. */
  name: string;
  kind: EstateResourceKind;
  /** The user's or device's key. */
  key: string;
  op: StepOp;
  old?: ResourceState;
  new?: ResourceState;
}

const PBX_TYPE_PREFIX = "pulumi-nodejs:dynamic/pbx:";

const opOf: Record<string, StepOp | undefined> = {
  create: "create",
  update: "update",
  delete: "delete",
  same: "same",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
};

function stateOf(meta: StepEventStateMetadata | null | undefined): ResourceState | undefined {
  if (!meta) return undefined;
  return { id: meta.id, inputs: meta.inputs ?? {}, outputs: meta.outputs ?? {} };
}

/**
 * The estate's resource steps among `events`, in the order the engine finished them. Refresh steps (the
 * read before a `preview --refresh`) are left out: the steps after them already start from what was read.
 */
export function estateSteps(events: readonly EngineEvent[]): EstateStep[] {
  const byUrn = new Map<string, EstateStep>();
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata;
    if (!meta || !meta.type.startsWith(PBX_TYPE_PREFIX)) continue;
    const op = opOf[meta.op];
    const name = meta.urn.split("::").pop() ?? "";
    const parsed = parseEstateName(name);
    if (!op || !parsed) continue;
    const previous = byUrn.get(meta.urn);
    // A replacement arrives as several steps: keep the state before from the first, after from the last.
    const old = previous?.old ?? stateOf(meta.old);
    const after = meta.op === "delete-replaced" ? previous?.new : (stateOf(meta.new) ?? previous?.new);
    byUrn.set(meta.urn, {
      urn: meta.urn,
      name,
      kind: parsed.kind,
      key: parsed.key,
      op: previous && previous.op !== op ? "replace" : op,
      ...(old ? { old } : {}),
      ...(after && op !== "delete" ? { new: after } : {}),
    });
  }
  return [...byUrn.values()];
}

/** Engine operations that remove the object in their state before: one removed, or one replaced. */
const REMOVING_OPS = new Set(["delete", "replace", "delete-replaced"]);

/**
 * The ids of the objects `events` remove, sorted (events arrive in no fixed order), taken per event rather than
 * per resource: a replacement left pending from an earlier run shares its URN with the live resource but has an
 * id of its own.
 */
export function removedIds(events: readonly EngineEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata ?? event.resourcePreEvent?.metadata;
    if (meta && meta.type.startsWith(PBX_TYPE_PREFIX) && REMOVING_OPS.has(meta.op) && meta.old?.id)
      ids.add(meta.old.id);
  }
  return [...ids].sort();
}
