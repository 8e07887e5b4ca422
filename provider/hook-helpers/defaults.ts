/**
 * What state records: a field left out means its default, in inputs (hook-helpers/check.ts) and outputs
 * (hook-helpers/outcome.ts) alike, and diffs read an absent field back as that default (hook-helpers/diff.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type { Inputs } from "./inputs.ts";

/** `values` without absent values (null or undefined) and without fields equal to their default. */
export function withoutDefaults(values: Inputs, defaults: Inputs): Inputs {
  return Object.fromEntries(
    Object.entries(values).filter(
      ([field, v]) => v !== undefined && v !== null && !(field in defaults && isDeepStrictEqual(v, defaults[field])),
    ),
  );
}
