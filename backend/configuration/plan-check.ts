// A plan checked without writing: its operations replayed on a copy of the live configuration with the very
// rules an apply enforces (applyOp at every step, checkLiveRules on the result), in the order the engine runs
// them: deletions marked `replaced` first (delete-before-replace), then creates, updates and links, then the
// other deletions. Every refusal is collected: a refused operation is skipped and the replay goes on.
import type { PlanCheckRequest, PlannedLicence, PlannedOperation, PlanRefusal } from "../../schemas/plan-check.ts";
import type { PlanCheckRequest as PlanCheckRequestSchema } from "../../schemas/plan-check.ts";
import type { z } from "zod";
import { ApiError } from "../errors.ts";
import { checkLiveRules } from "./live-rules.ts";
import { cloneConfig, type Config, type Context, type Licence } from "./model.ts";
import { applyOp, type Op } from "./operations.ts";
import { RULE_CODES, isRuleCode } from "./rule-codes.ts";
import { conflictObjectIds } from "../../schemas/problem.ts";

type ParsedRequest = z.output<typeof PlanCheckRequestSchema>;
export type { PlanCheckRequest };

/** The operation as the apply records it. A device's SIP secret is the backend's to make: not part of a check. */
function opOf(planned: PlannedOperation): Op {
  switch (planned.op) {
    case "user.create": {
      const { ref: _ref, clientReference, callPlan, ...fields } = planned;
      return {
        ...fields,
        clientReference: clientReference ?? null,
        ...(callPlan !== undefined ? { callPlan } : {}),
      };
    }
    case "user.update": {
      const { ref: _ref, callPlan, patch, ...rest } = planned;
      return { ...rest, ...(callPlan !== undefined ? { callPlan } : {}), patch };
    }
    case "user.link":
    case "user.unlink":
      return { op: planned.op, id: planned.id, deviceId: planned.deviceId };
    case "device.create":
      return {
        op: "device.create",
        id: planned.id,
        clientReference: planned.clientReference ?? null,
        name: planned.name,
        licenceId: planned.licenceId,
        sipUsername: "",
        ha1: "",
        passwordFingerprint: "",
      };
    case "device.update":
      return {
        op: "device.update",
        id: planned.id,
        ...(planned.name !== undefined ? { name: planned.name } : {}),
        ...(planned.licenceId !== undefined ? { licenceId: planned.licenceId } : {}),
      };
    case "user.delete":
    case "device.delete":
      return { op: planned.op, id: planned.id };
  }
}

/**
 * Licences the apply will order, as active free licences beside the live ones (a live id is never replaced),
 * and the live ones it reinstates first, as active.
 */
function withPlannedLicences(ctx: Context, planned: readonly PlannedLicence[], reinstated: readonly string[]): Context {
  const licences = new Map(ctx.licences);
  for (const id of reinstated) {
    const live = licences.get(id);
    if (live?.status === "cancellation-scheduled")
      licences.set(id, { ...live, status: "active", cancellationEffectiveAt: null });
  }
  for (const l of planned)
    if (!licences.has(l.id))
      licences.set(l.id, {
        id: l.id,
        product: l.product,
        callPlan: l.callPlan,
        status: "active",
        cancellationEffectiveAt: null,
      } satisfies Licence);
  return { ...ctx, licences };
}

const isDeletion = (p: PlannedOperation): p is Extract<PlannedOperation, { replaced: boolean }> =>
  p.op === "user.delete" || p.op === "device.delete";

/** The operations in the order the engine runs them. */
function engineOrder(operations: readonly PlannedOperation[]): { first: PlannedOperation[]; last: PlannedOperation[] } {
  const replacedDeletions = operations.filter((p) => isDeletion(p) && p.replaced);
  const changes = operations.filter((p) => !isDeletion(p));
  const deletions = operations.filter((p) => isDeletion(p) && !p.replaced);
  return { first: [...replacedDeletions, ...changes], last: deletions };
}

/** The objects an operation names (its own, and a linked device). */
function objectsOf(p: PlannedOperation): string[] {
  return p.op === "user.link" || p.op === "user.unlink" ? [p.id, p.deviceId] : [p.id];
}

/** Whether the operation sets the field a rule is about (a create sets them all). */
function sets(p: PlannedOperation, field: string): boolean {
  if (p.op === "user.create" || p.op === "device.create") return true;
  if (p.op === "user.update") return field in p.patch || (field === "callPlan" && p.callPlan !== undefined);
  if (p.op === "device.update") return field in p && p[field as keyof typeof p] !== undefined;
  if (p.op === "user.link") return field === "deviceId";
  return false;
}

function refusalOf(p: PlannedOperation, error: ApiError): PlanRefusal {
  const field = error.extras.fields?.[0]?.path ?? (isRuleCode(error.code) ? RULE_CODES[error.code] : null);
  return {
    ref: p.ref,
    op: p.op,
    code: error.code,
    field,
    message: error.message,
    holders: (error.extras.holders ?? []).filter((h) => !objectsOf(p).includes(h.id)),
  };
}

/** The accepted operation a live-rule refusal is its doing: the latest one setting the rule's field on an object it names. */
function culpritOf(accepted: readonly PlannedOperation[], error: ApiError): number {
  const named = new Set(conflictObjectIds(error.extras));
  const field = isRuleCode(error.code) ? RULE_CODES[error.code] : "";
  const touching = (p: PlannedOperation) => objectsOf(p).some((id) => named.has(id));
  for (let i = accepted.length - 1; i >= 0; i--) if (touching(accepted[i]!) && sets(accepted[i]!, field)) return i;
  for (let i = accepted.length - 1; i >= 0; i--) if (touching(accepted[i]!)) return i;
  return -1;
}

/** Replays `operations` on `c` in place, keeping those the rules allow and refusing the others. */
function replaySteps(
  c: Config,
  ctx: Context,
  operations: readonly PlannedOperation[],
  refusals: PlanRefusal[],
): PlannedOperation[] {
  const accepted: PlannedOperation[] = [];
  for (const p of operations) {
    try {
      applyOp(c, ctx, opOf(p));
      accepted.push(p);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      refusals.push(refusalOf(p, error));
    }
  }
  return accepted;
}

/** Every refusal an apply of `request` would meet against `live`, in replay order. */
export function checkPlan(live: Config, liveCtx: Context, request: ParsedRequest): PlanRefusal[] {
  const ctx = withPlannedLicences(liveCtx, request.licences, request.reinstated);
  const { first, last } = engineOrder(request.operations);
  const refusals: PlanRefusal[] = [];
  let c = cloneConfig(live);
  let accepted = replaySteps(c, ctx, first, refusals);
  // The live rules hold on the result (a change set may pass through states that break them). Each refusal
  // is put on the operation that caused it, which is left out and the rest replayed again.
  for (;;) {
    try {
      checkLiveRules(c);
      break;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const culprit = culpritOf(accepted, error);
      if (culprit < 0) throw error; // the live configuration itself breaks a live rule: not the plan's doing
      refusals.push(refusalOf(accepted[culprit]!, error));
      c = cloneConfig(live);
      accepted = replaySteps(
        c,
        ctx,
        accepted.filter((_, i) => i !== culprit),
        refusals,
      );
    }
  }
  // Removing objects breaks no live rule: the deletions meet only the rules of their own steps.
  replaySteps(c, ctx, last, refusals);
  return refusals;
}
