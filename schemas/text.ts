// What every text field a person types refuses, in one place: characters that corrupt a store, a terminal,
// a mail header or what a reader sees.
import { z } from "zod";
import { ruleParams } from "./problem.ts";

/* eslint-disable no-control-regex -- finding control characters is what these patterns are for */
/** C0 controls, DEL and C1 controls. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
/** The same, less tab, line feed and carriage return: for fields that hold several lines. */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/* eslint-enable no-control-regex */
/** Bidirectional embeddings, overrides and isolates: they reorder what a reader sees of a name. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** With the `u` flag a surrogate pair is one code point, so this finds only unpaired surrogates. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `value` holds an unpaired surrogate, which no UTF-8 store or wire format can carry. */
export function hasUnpairedSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** `name`: a display name; `line`: any other one-line text; `lines`: text that may hold tabs and line breaks. */
export type TextKind = "name" | "line" | "lines";

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Adds an issue (rule `ill-formed-unicode`, `control-character` or `bidi-control`) for text a field must refuse. */
export function checkText(kind: TextKind) {
  return (value: string, ctx: z.RefinementCtx): void => {
    if (hasUnpairedSurrogate(value)) {
      ctx.addIssue({
        code: "custom",
        message: "holds an unpaired surrogate: not well-formed Unicode text",
        params: ruleParams("ill-formed-unicode"),
      });
      return;
    }
    const control = (kind === "lines" ? CONTROL_BUT_LINE_BREAKS : CONTROL).exec(value)?.[0];
    if (control !== undefined) {
      const allowed = kind === "lines" ? " (only tabs and line breaks are allowed)" : "";
      ctx.addIssue({
        code: "custom",
        message: `holds the control character ${codePoint(control)}${allowed}`,
        params: ruleParams("control-character"),
      });
    }
    const bidi = kind === "name" ? BIDI_CONTROL.exec(value)?.[0] : undefined;
    if (bidi !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `holds the bidirectional control ${codePoint(bidi)}, which reorders what a reader sees`,
        params: ruleParams("bidi-control"),
      });
    }
  };
}

/** A display name: trimmed, 1 to `max` characters, none of them controls. */
export function nameText(max: number) {
  return z.string().trim().min(1).max(max).superRefine(checkText("name"));
}

/** One line of text: trimmed, 1 to `max` characters, no control characters. */
export function lineText(max: number) {
  return z.string().trim().min(1).max(max).superRefine(checkText("line"));
}
