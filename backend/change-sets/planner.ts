// A configuration write as the resources' services hand it to the change-set engine: a plan decided against
// the caller's view, and what the write produced.
import type { Config, Context } from "../configuration/model.ts";
import type { Op } from "../configuration/operations.ts";

/** The configuration a reader or writer sees, and the change sets pending on each object. */
export interface ConfigurationView {
  config: Config;
  ctx: Context;
  pending: Map<string, string[]>;
}

/** Decides the operation from the current view, or answers without writing (e.g. a clientReference already used). */
export type Planner<T> = (view: Config, ctx: Context) => { op: Op; value: T; then?: Op[] } | { existing: T };

/** What a write produced: the configuration after it (live, or the change set's projection), and where. */
export interface WriteResult<T> extends ConfigurationView {
  revision: number | null; // set when applied at once
  changeSetId: string | null; // set when staged
  value: T;
}
