/**
 * What the provider shares with the programs that run it: the `pbx-estate` CLI and the demo import provider
 * code only from here (eslint.config.js holds them to it), so what they rely on is in one place.
 *
 * - The environment that hands the plugin process its settings, and the deadlines read the same way.
 * - The variables of the removal guards (removal-guards.ts) and of the planned-steps guard (planned-steps.ts),
 *   with the planned-steps file's shape.
 * - How `diff` compares each kind, and how a preview's unknown value looks: a plan names exactly the fields
 *   an apply changes, and a drift report the fields a refresh found changed.
 * - How `create` decides between adopting and making (identity.ts), so a plan says which licences a new
 *   one claims back; which licence pending cancellation a new one reinstates (subscription/pending.ts);
 *   and the prefix that names a stack in client references (references.ts).
 * - For the CLI's read path, which plans without the engine: each kind's check, diff and `read` hooks
 *   (kinds.ts) and the context the hooks run in (context.ts), so what it computes is the provider's own.
 */
export { settingsEnvironment, timeoutMs } from "./settings.ts";
export { PLANNED_REMOVALS_ENV, PROGRAM_MARK_ENV } from "./removal-guards.ts";
export { PLANNED_STEPS_ENV, type PlannedStep, type PlannedSteps } from "./planned-steps.ts";
export { changedFields, type DiffSpec } from "./hook-helpers/diff.ts";
export { isUnknown, containsUnknown, unknownValue } from "./hook-helpers/unknowns.ts";
export { checkInputs } from "./hook-helpers/check.ts";
export { diffOf } from "./hook-helpers/diff.ts";
export type { Inputs } from "./hook-helpers/inputs.ts";
export { resourceKinds, type ResourceKind } from "./kinds.ts";
export { contextOver, providerContext, type ProviderContext } from "./context.ts";
export type { Settings } from "./settings.ts";
export { deviceDiff } from "./device/inputs.ts";
export { subscriptionDiff } from "./subscription/inputs.ts";
export { userDiff, userRecordedDefaults } from "./user/inputs.ts";
export { decideCreate } from "./identity.ts";
export { stackPrefixOf } from "./references.ts";
export { pendingLicencesOf, type PendingLicences } from "./subscription/pending.ts";
