// The catalogue: products, call plans and the terms version an order must accept.
import { z } from "zod";

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

export const Catalogue = z
  .object({ products: z.array(Product), callPlans: z.array(CallPlan), termsVersion: z.string() })
  .meta({ id: "Catalogue" });
export type Catalogue = z.infer<typeof Catalogue>;
