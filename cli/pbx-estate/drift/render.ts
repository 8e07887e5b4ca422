/** A drift report as text, Markdown (for an issue or a chat message) or JSON. */
import { renderPlanMarkdown } from "../plan/render-markdown.ts";
import { renderPlanText } from "../plan/render-text.ts";
import { renderValue } from "../plan/values.ts";
import { cellCode, inlineCode, visibleLines } from "../safe-text.ts";
import type { DriftReport } from "./report.ts";

/** What to do about the drift found: apply, and what it does (the report's advice, see advice.ts). */
function remedy(report: DriftReport, bullet: string): string[] {
  return [
    "`pbx-estate apply` with the same files puts it right; it:",
    ...report.advice.map((line) => `${bullet}${line}`),
    "", // in Markdown, a line straight after the list would continue its last item
    "Then `pbx-estate drift` finds every object in sync.",
  ];
}

export function renderDriftText(report: DriftReport): string {
  const lines = [
    `Drift check of estate ${report.estate} (stack ${report.stack}) in account ${report.account.name} (${report.account.id})`,
    "",
  ];
  if (report.inSync) lines.push("In sync: every object is live as the last apply left it.");
  else {
    lines.push(
      `Drift: ${report.drift.length} object${report.drift.length === 1 ? "" : "s"} changed outside pbx-estate`,
    );
    for (const entry of report.drift) {
      lines.push(
        `  ${entry.kind} ${entry.key} (${entry.label}): ${entry.state === "gone" ? "deleted or cancelled outside pbx-estate" : "changed"}`,
      );
      for (const f of entry.fields)
        lines.push(`      ${f.field}: declared ${renderValue(f.declared)}, live ${renderValue(f.live)}`);
    }
    lines.push("", ...remedy(report, "  - "));
  }
  lines.push("");
  if (report.pendingCodeChanges.hasChanges) {
    lines.push(
      "Changes in the estate files not applied yet (not drift):",
      ...renderPlanText(report.pendingCodeChanges)
        .split("\n")
        .slice(2)
        .map((l) => `  ${l}`),
    );
  } else lines.push("No changes in the estate files waiting to be applied.");
  return visibleLines(lines).join("\n");
}

export function renderDriftMarkdown(report: DriftReport): string {
  const lines = [
    `### pbx-estate drift check for ${inlineCode(report.estate)}`,
    "",
    `Account ${inlineCode(report.account.name)} (${inlineCode(report.account.id)}), stack ${inlineCode(report.stack)}.`,
    "",
  ];
  if (report.inSync) lines.push("**In sync.** Every object is live as the last apply left it.");
  else {
    lines.push(
      `**Drift:** ${report.drift.length} object${report.drift.length === 1 ? "" : "s"} changed outside pbx-estate.`,
      "",
    );
    lines.push("| object | field | declared | live |", "| --- | --- | --- | --- |");
    for (const entry of report.drift) {
      const object = `${entry.kind} ${cellCode(entry.key)} ${cellCode(entry.label)}`;
      if (entry.state === "gone") lines.push(`| ${object} | | | **deleted or cancelled** |`);
      for (const f of entry.fields)
        lines.push(
          `| ${object} | ${f.field} | ${cellCode(renderValue(f.declared))} | ${cellCode(renderValue(f.live))} |`,
        );
    }
    lines.push("", ...remedy(report, "- "));
  }
  lines.push("");
  if (report.pendingCodeChanges.hasChanges) {
    lines.push(
      "<details><summary>Changes in the estate files not applied yet (not drift)</summary>",
      "",
      renderPlanMarkdown(report.pendingCodeChanges),
      "",
      "</details>",
    );
  } else lines.push("No changes in the estate files waiting to be applied.");
  return lines.join("\n");
}
