// The catalogue: what can be ordered, at what monthly price, under which terms.
import type { Catalogue, CallPlanId, ProductId } from "../../schemas/catalogue.ts";

/** The service terms a backend's catalogue names unless it is started with others (BackendOptions.termsVersion). */
export const TERMS_VERSION = "2025-01";

/** The catalogue under the default terms; prices are the same under any terms (see catalogueWith). */
export const catalogue: Catalogue = {
  termsVersion: TERMS_VERSION,
  products: [
    {
      id: "user-licence",
      name: "User licence",
      monthlyPrice: { amountMinor: 800, currency: "GBP" },
      carriesCallPlan: true,
    },
    {
      id: "sip-device-licence",
      name: "SIP-device licence",
      monthlyPrice: { amountMinor: 300, currency: "GBP" },
      carriesCallPlan: false,
    },
  ],
  callPlans: [
    { id: "pay-as-you-go", name: "Pay as you go", monthlyPrice: { amountMinor: 0, currency: "GBP" } },
    { id: "national-unlimited", name: "National unlimited", monthlyPrice: { amountMinor: 500, currency: "GBP" } },
    { id: "international", name: "International", monthlyPrice: { amountMinor: 1500, currency: "GBP" } },
  ],
};

/** The catalogue a backend serves: its products and prices, under the terms it was started with. */
export function catalogueWith(termsVersion: string): Catalogue {
  return { ...catalogue, termsVersion };
}

/** Monthly price in minor units of a licence: the product's price plus its call plan's. */
export function monthlyPrice(
  product: ProductId,
  callPlan: CallPlanId | null,
): { amountMinor: number; currency: string } {
  const p = catalogue.products.find((x) => x.id === product);
  const cp = callPlan === null ? undefined : catalogue.callPlans.find((x) => x.id === callPlan);
  return { amountMinor: (p?.monthlyPrice.amountMinor ?? 0) + (cp?.monthlyPrice.amountMinor ?? 0), currency: "GBP" };
}
