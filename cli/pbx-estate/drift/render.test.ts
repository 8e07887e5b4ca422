/** A drift report's advice reads as a list under what to run, in a terminal and in a Markdown comment alike. */
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import type { EstatePlan } from "../plan/model.ts";
import { renderDriftMarkdown, renderDriftText } from "./render.ts";
import type { DriftReport } from "./report.ts";

const account = { id: "acc_aaaaaaaaaaaaaaaaaaaa", name: "Acme", timeZone: "Europe/London" };
const noChanges = {
  estate: "office",
  stack: "office",
  account,
  users: [],
  devices: [],
  licences: { orders: [], adoptions: [], reinstatements: [], claims: [], cancellations: [], callPlanChanges: [] },
  cost: { currency: "GBP", currentMonthlyMinor: 0, monthlyDeltaMinor: 0, newMonthlyMinor: 0 },
  counts: {
    users: { create: 0, update: 0, replace: 0, delete: 0 },
    devices: { create: 0, update: 0, replace: 0, delete: 0 },
  },
  hasChanges: false,
} satisfies EstatePlan;

const report: DriftReport = {
  estate: "office",
  stack: "office",
  account,
  inSync: false,
  drift: [
    {
      resource: "device/desk",
      kind: "device",
      key: "desk",
      label: "Desk",
      state: "changed",
      fields: [{ field: "password", declared: "set by pbx-estate", live: "rotated outside pbx-estate" }],
    },
  ],
  advice: ["rotates the SIP password of device desk again", "makes user priya again as declared, with its devices"],
  pendingCodeChanges: noChanges,
};

describe("drift advice", () => {
  it("lists what apply does under the command to run, then what drift finds afterwards", () => {
    expect(renderDriftText(report)).toContain(
      [
        "`pbx-estate apply` with the same files puts it right; it:",
        "  - rotates the SIP password of device desk again",
        "  - makes user priya again as declared, with its devices",
        "",
        "Then `pbx-estate drift` finds every object in sync.",
      ].join("\n"),
    );
    const html = new MarkdownIt().render(renderDriftMarkdown(report));
    expect(html).toContain(
      "<ul>\n<li>rotates the SIP password of device desk again</li>\n<li>makes user priya again as declared, with its devices</li>\n</ul>\n<p>Then <code>pbx-estate drift</code>",
    );
  });

  it("says nothing about apply when in sync", () => {
    const inSync = { ...report, inSync: true, drift: [], advice: [] };
    expect(renderDriftText(inSync)).not.toContain("pbx-estate apply");
    expect(renderDriftMarkdown(inSync)).not.toContain("pbx-estate apply");
  });
});
