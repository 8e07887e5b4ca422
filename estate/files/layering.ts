// Effective values of a user: built-in defaults ← Estate defaults ← group defaults ← the user's own fields.
import type { EstateDefaults } from "../../schemas/estate.ts";

export const BUILT_IN_DEFAULTS: EstateDefaults = { recording: { enabled: false }, removal: "end-of-month" };

/** Every default field, present even when no layer sets it (a new field in the schema must be added here). */
export type LayeredDefaults = { [K in keyof Required<EstateDefaults>]: EstateDefaults[K] | undefined };

/** Later layers win field by field; a field a layer leaves out does not erase an earlier value. */
export function layerDefaults(...layers: (Partial<EstateDefaults> | undefined)[]): LayeredDefaults {
  const last = <K extends keyof EstateDefaults>(field: K) =>
    layers.reduce<EstateDefaults[K] | undefined>((value, layer) => layer?.[field] ?? value, undefined);
  return {
    callPlan: last("callPlan"),
    areaPrefix: last("areaPrefix"),
    outboundCallerId: last("outboundCallerId"),
    recording: last("recording"),
    removal: last("removal"),
  };
}
