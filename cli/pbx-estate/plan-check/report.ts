/**
 * A refusal of the backend's plan check as a plan error: the estate file and line of the field, what is
 * wrong with the live holder, and the rule, e.g.
 * `site.yaml:12: users[3].extension: extension 201 is held by user usr_… (John Smith), not in this estate [rule: extension-taken]`.
 */
import type { ResolvedEstate, SourceLocation } from "../../../schemas/estate.ts";
import type { PlanRefusal } from "../../../schemas/plan-check.ts";
import type { EstateStep } from "../plan/steps.ts";
import { FieldLocator } from "./locate.ts";

/** The estate field an operation's field is declared as; the object itself when it has none of its own. */
const ESTATE_FIELDS: Record<string, string | undefined> = {
  name: "name",
  extension: "extension",
  areaPrefix: "areaPrefix",
  outboundCallerId: "outboundCallerId",
  recording: "recording",
  callPlan: "callPlan",
  deviceId: "devices",
};

function declaredAt(
  estate: ResolvedEstate,
  ref: string,
): { location: SourceLocation; what: "user" | "device" } | undefined {
  const [kind, key] = ref.split("/");
  for (const user of estate.users) {
    if (kind === "user" && user.key === key) return { location: user.location, what: "user" };
    const device = user.devices.find((d) => d.key === key);
    if (kind === "device" && device) return { location: device.location, what: "device" };
  }
  return undefined;
}

/** One line per refusal, in file and line order. */
export function refusalLines(
  refusals: readonly PlanRefusal[],
  estate: ResolvedEstate,
  steps: readonly EstateStep[],
): string[] {
  const locator = new FieldLocator();
  const estateObjects = new Map(steps.flatMap((s) => (s.old ? [[s.old.id, s.name] as const] : [])));
  const holderText = (refusal: PlanRefusal): string =>
    refusal.holders
      .map((h) => {
        const inEstate = estateObjects.get(h.id);
        return `${h.kind} ${h.id} (${h.name}), ${inEstate ? `in this estate as ${inEstate}` : "not in this estate"}`;
      })
      .join(" and ");
  const placed = refusals.map((refusal) => {
    const declared = declaredAt(estate, refusal.ref);
    const field = refusal.field === null ? undefined : ESTATE_FIELDS[refusal.field];
    const place = declared ? locator.place(declared.location, field) : undefined;
    const value =
      refusal.code === "extension-taken" && declared?.what === "user"
        ? estate.users.find((u) => `user/${u.key}` === refusal.ref)?.extension
        : undefined;
    const holders = holderText(refusal);
    const text =
      value !== undefined && holders !== ""
        ? `extension ${value} is held by ${holders}`
        : `${refusal.message}${holders === "" ? "" : `; held by ${holders}`}`;
    const where = place
      ? `${place.location.file}:${place.location.line}: ${place.path === "" ? "" : `${place.path}: `}`
      : `${refusal.ref}: `;
    return { place, line: `${where}${text} [rule: ${refusal.code}]` };
  });
  return placed
    .sort(
      (a, b) =>
        (a.place?.location.file ?? "").localeCompare(b.place?.location.file ?? "") ||
        (a.place?.location.line ?? 0) - (b.place?.location.line ?? 0),
    )
    .map((p) => p.line);
}
