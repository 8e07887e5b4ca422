// The catalogue: products, call plans and the terms version an order or a cancellation must accept.
import { z } from "zod";
import { lineText } from "./text.ts";

export const ProductId = z.enum(["user-licence", "sip-device-licence"]);
export type ProductId = z.infer<typeof ProductId>;

export const CallPlanId = z.enum(["pay-as-you-go", "national-unlimited", "international"]);
export type CallPlanId = z.infer<typeof CallPlanId>;

export const Money = z.object({ amountMinor: z.number().int().min(0), currency: z.string().length(3) });

export const Product = z.object({
  id: ProductId,
  name: z.string(),
  monthlyPrice: Money,
  carriesCallPlan: z.boolean(),
});
export const CallPlan = z.object({ id: CallPlanId, name: z.string(), monthlyPrice: Money });

/**
 * The service terms a request accepts: an order's and a cancellation's `termsVersion`, an estate's
 * `acceptTerms`. The backend refuses any but the catalogue's current `termsVersion` (backend/catalogue/terms.ts).
 */
export const AcceptedTerms = lineText(50).describe("must equal the catalogue's current termsVersion");

export const Catalogue = z
  .object({ products: z.array(Product), callPlans: z.array(CallPlan), termsVersion: z.string() })
  .meta({ id: "Catalogue" });
export type Catalogue = z.infer<typeof Catalogue>;
