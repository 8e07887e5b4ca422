/**
 * The service terms a run accepts. Ordering a licence and cancelling one both accept the catalogue's
 * current terms, and the backend refuses anything else; the estate's `acceptTerms` is what this run
 * accepts (the provider cancels under it, see `acceptedTerms` in provider/settings.ts). A run that orders
 * or cancels while the estate accepts older terms is refused before the engine starts, so nothing is half
 * done: a destroy would otherwise remove users and devices and then fail at their licences.
 */
import type { Catalogue } from "../../schemas/catalogue.ts";
import type { ResolvedEstate } from "../../schemas/estate.ts";
import { RefusedError } from "./errors.ts";
import type { EstatePlan } from "./plan/model.ts";

function licences(count: number): string {
  return `${count} licence${count === 1 ? "" : "s"}`;
}

export function refuseOutdatedTerms(
  estate: ResolvedEstate,
  catalogue: Catalogue,
  plan: EstatePlan,
  command: "apply" | "destroy",
): void {
  const current = catalogue.termsVersion;
  if (estate.acceptTerms === current) return;
  const { orders, cancellations } = plan.licences;
  const accepting = [
    orders.length > 0 ? `orders ${licences(orders.length)}` : undefined,
    cancellations.length > 0 ? `cancels ${licences(cancellations.length)}` : undefined,
  ].filter((what) => what !== undefined);
  if (accepting.length === 0) return;
  throw new RefusedError(
    `the service terms are now ${current}, but estate ${estate.name} accepts ${estate.acceptTerms} ` +
      `(acceptTerms in ${estate.location.file}), and this ${command} ${accepting.join(" and ")}: ordering and ` +
      `cancelling both accept the current terms. Read the new terms, set acceptTerms: "${current}" in the ` +
      `estate, and run ${command} again. Nothing was changed.`,
  );
}
