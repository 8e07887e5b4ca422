/** Values in a plan: engine values made plan-safe, and their text form. */
import { isUnknown } from "../../../provider/contract.ts";
import type { PlanValue } from "./model.ts";

/** How a value the engine will only know after the apply (a new object's id) shows in a plan. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

export function planValue(value: unknown): PlanValue {
  if (value === undefined || value === null) return null;
  if (isUnknown(value)) return KNOWN_AFTER_APPLY;
  if (Array.isArray(value)) return value.map(planValue);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.map(([k, v]) => [k, planValue(v)]));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return typeof value === "bigint" ? value.toString() : null;
}

function isRecording(value: PlanValue): value is { enabled: boolean; email?: string; subject?: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof value.enabled === "boolean";
}

/** `+442079460000`, `on, to rec@example.com, subject "Calls"`, `john-desk-phone, john-softphone`, `(none)`. */
export function renderValue(value: PlanValue | undefined): string {
  if (value === undefined || value === null) return "(none)";
  if (isRecording(value)) {
    if (!value.enabled) return "off";
    const subject = typeof value.subject === "string" ? `, subject "${value.subject}"` : "";
    return `on, to ${typeof value.email === "string" ? value.email : "?"}${subject}`;
  }
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map((v) => renderValue(v)).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** `GBP 13.00`; with `signed`, `+GBP 13.00` / `-GBP 3.00`. */
export function formatMoney(minor: number, currency: string, signed = false): string {
  const sign = minor < 0 ? "-" : signed ? "+" : "";
  return `${sign}${currency} ${(Math.abs(minor) / 100).toFixed(2)}`;
}
