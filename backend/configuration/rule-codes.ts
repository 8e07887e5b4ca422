// The refusal codes a configuration apply can answer from its rules, each with the operation's field it is
// about. One list: the plan check names these fields, and every code has its plan-check test
// (test/backend/plan-check.test.ts fails when one has none).
export const RULE_CODES = {
  "not-found": "id",
  "licence-not-found": "licenceId",
  "licence-wrong-product": "licenceId",
  "licence-cancelled": "licenceId",
  "licence-cancellation-scheduled": "licenceId",
  "licence-held": "licenceId",
  "call-plan-mismatch": "callPlan",
  "caller-id-not-owned": "outboundCallerId",
  "extension-taken": "extension",
  "device-not-found": "deviceId",
  "device-not-linked": "deviceId",
  "device-link-conflict": "deviceId",
  "too-many-devices": "deviceId",
  "device-linked": "id",
} as const satisfies Record<string, string>;

export type RuleCode = keyof typeof RULE_CODES;

export function isRuleCode(code: string): code is RuleCode {
  return Object.hasOwn(RULE_CODES, code);
}
