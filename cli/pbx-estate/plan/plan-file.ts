/**
 * The plan file `plan --out` writes and `apply --plan` holds the next run to: the plan as reviewed, the
 * estate it was made from, and a fingerprint of reality then — every recorded object of the stack as read
 * live (ids, versions, statuses, fields) together with what state recorded for it. An apply re-plans and
 * refuses when the estate, the account, any fingerprinted object or the plan itself differs.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { ResolvedEstate } from "../../../schemas/estate.ts";
import { CliError } from "../errors.ts";
import type { EstatePlan, LicenceClaim } from "./model.ts";
import type { EstateStep } from "./steps.ts";

export const PLAN_FILE_FORMAT = "pbx-estate-plan/v1";

export interface RealityFingerprint {
  /** Digest over every resource's digest. */
  digest: string;
  /** Logical name → digest of what state recorded and the live read returned. */
  resources: Record<string, string>;
}

/** What a plan run knows: the plan, and the estate and reality it was made from. */
export interface CurrentPlan {
  estate: string;
  stack: string;
  accountId: string;
  estateDigest: string;
  reality: RealityFingerprint;
  plan: EstatePlan;
}

export interface PlanFile extends CurrentPlan {
  format: typeof PLAN_FILE_FORMAT;
  createdAt: string;
}

const PlanFileEnvelope = z.object({
  format: z.literal(PLAN_FILE_FORMAT),
  createdAt: z.string(),
  estate: z.string(),
  stack: z.string(),
  accountId: z.string(),
  estateDigest: z.string(),
  reality: z.object({ digest: z.string(), resources: z.record(z.string(), z.string()) }),
  plan: z.record(z.string(), z.unknown()),
});

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** The estate as declared, independent of file layout and order: where things are declared is left out. */
export function estateDigest(estate: ResolvedEstate): string {
  const users = estate.users.map(({ location: _location, devices, ...user }) => ({
    ...user,
    devices: devices.map(({ location: _l, ...device }) => device).sort((a, b) => (a.key < b.key ? -1 : 1)),
  }));
  return sha256(canonicalJson({ name: estate.name, acceptTerms: estate.acceptTerms, users }));
}

/** Properties left out of the fingerprint: the encrypted password and the constant provider shim. */
const unfingerprinted = new Set(["sipPassword", "__provider"]);

function withoutUnfingerprinted(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !unfingerprinted.has(k)));
}

/** Fingerprint of the objects a plan starts from: their state before the planned steps (live, after a refresh). */
export function realityFingerprint(steps: readonly EstateStep[]): RealityFingerprint {
  const resources: Record<string, string> = {};
  for (const step of steps) {
    if (!step.old) continue;
    resources[step.name] = sha256(
      canonicalJson({
        id: step.old.id,
        inputs: withoutUnfingerprinted(step.old.inputs),
        outputs: withoutUnfingerprinted(step.old.outputs),
      }),
    );
  }
  return { digest: sha256(canonicalJson(resources)), resources };
}

/**
 * The plan without what legitimately differs between two runs over the same code and objects: the date
 * shown for an immediate cancellation is the day it runs.
 */
export function comparablePlan(plan: EstatePlan): string {
  const cancellations = plan.licences.cancellations.map((c) => (c.takesEffectAt === null ? { ...c, lastDay: "" } : c));
  // Plan files written before reinstatements or claims were listed have none: the same as an empty list.
  const { reinstatements = [], claims = [] } = plan.licences as Partial<EstatePlan["licences"]>;
  return canonicalJson({ ...plan, licences: { ...plan.licences, cancellations, reinstatements, claims } });
}

/**
 * The claims of the saved plan that planning again does not make: the licence is no longer pending
 * cancellation (reinstated or claimed by someone else, or its cancellation took effect), or another new
 * licence comes first. The stack's fingerprint does not cover these licences: they are not the stack's yet.
 */
function claimsGone(saved: EstatePlan, now: EstatePlan): string[] {
  const key = (c: LicenceClaim) => `${c.for.kind}/${c.for.key}/${c.subscriptionId}`;
  const claimsOf = (plan: EstatePlan) => (plan.licences as Partial<EstatePlan["licences"]>).claims ?? [];
  const still = new Set(claimsOf(now).map(key));
  return claimsOf(saved)
    .filter((c) => !still.has(key(c)))
    .map(
      (c) =>
        `licence ${c.subscriptionId}, pending cancellation when the plan was made, is no longer the one ${c.for.kind} ${c.for.key} reinstates instead of ordering`,
    );
}

/** Writes exactly the plan file's fields (a caller may hand on more: what its apply needs, say). */
export function writePlanFile(path: string, file: PlanFile): void {
  const { format, createdAt, estate, stack, accountId, estateDigest, reality, plan } = file;
  const written: PlanFile = { format, createdAt, estate, stack, accountId, estateDigest, reality, plan };
  writeFileSync(path, `${JSON.stringify(written, null, 2)}\n`);
}

export function readPlanFile(path: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the plan file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`the plan file ${path} is not JSON`);
  }
  const parsed = PlanFileEnvelope.safeParse(json);
  if (!parsed.success)
    throw new CliError(
      `${path} is not a ${PLAN_FILE_FORMAT} plan file (${parsed.error.issues[0]?.message ?? "invalid"})`,
    );
  return parsed.data as unknown as PlanFile;
}

/** Why a saved plan no longer holds, one reason a line; empty when it still describes exactly this apply. */
export function stalenessOf(saved: PlanFile, now: CurrentPlan): string[] {
  if (saved.estate !== now.estate || saved.stack !== now.stack) {
    return [`the plan is for estate ${saved.estate} (stack ${saved.stack}), not ${now.estate} (stack ${now.stack})`];
  }
  if (saved.accountId !== now.accountId)
    return [`the plan was made for account ${saved.accountId}; the token is for ${now.accountId}`];
  const reasons: string[] = [];
  if (saved.estateDigest !== now.estateDigest) reasons.push("the estate files changed since the plan was made");
  if (saved.reality.digest !== now.reality.digest) {
    const names = new Set([...Object.keys(saved.reality.resources), ...Object.keys(now.reality.resources)]);
    for (const name of [...names].sort()) {
      const before = saved.reality.resources[name];
      const after = now.reality.resources[name];
      if (before === after) continue;
      if (before === undefined) reasons.push(`${name} exists now but did not when the plan was made`);
      else if (after === undefined) reasons.push(`${name} is gone since the plan was made`);
      else reasons.push(`${name} changed since the plan was made (in the backend, or applied by another run)`);
    }
  }
  reasons.push(...claimsGone(saved.plan, now.plan));
  if (comparablePlan(saved.plan) !== comparablePlan(now.plan))
    reasons.push("planning again gives different changes than the plan file holds");
  return reasons;
}
