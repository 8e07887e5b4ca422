/**
 * Hostile values in a plan or drift report (names made in the portal, an account's name, live values):
 * the terminal output carries no control character, and the Markdown comment, rendered as GitHub renders
 * a table (markdown-it with GFM tables), shows exactly the data with no live HTML, link or broken column.
 */
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { renderDriftMarkdown, renderDriftText } from "../drift/render.ts";
import type { DriftReport } from "../drift/report.ts";
import type { EstatePlan } from "./model.ts";
import { renderPlanMarkdown } from "./render-markdown.ts";
import { renderPlanText } from "./render-text.ts";

const screenClear = "\u001b[2J\u001b]0;pwned\u0007";
const breakout = "</details><img src=https://evil.example/x.png> @everyone [click](https://evil.example) | col";
const backticks = "a ``` b ` c";
const bidi = "Desk \u202Eenohp";

const plan: EstatePlan = {
  estate: "small-office",
  stack: "small-office",
  account: { id: "acc_aaaaaaaaaaaaaaaaaaaa", name: `Acme ${breakout}`, timeZone: "Europe/London" },
  users: [
    {
      key: "john",
      op: "update",
      label: `201 ${screenClear}`,
      fields: [
        { field: "name", from: breakout, to: "John Smith", outOfBand: true },
        {
          field: "recording",
          from: { enabled: false },
          to: { enabled: true, email: "a@example.com", subject: backticks },
        },
      ],
    },
  ],
  devices: [{ key: "desk", user: "john", op: "create", label: bidi, fields: [{ field: "name", to: bidi }] }],
  licences: {
    orders: [
      { for: { kind: "device", key: "desk" }, product: "sip-device-licence", callPlan: null, monthlyPriceMinor: 300 },
    ],
    adoptions: [],
    reinstatements: [],
    claims: [
      {
        for: { kind: "user", key: "john" },
        product: "user-licence",
        callPlan: "national-unlimited",
        subscriptionId: breakout,
        lastDay: "2026-11-30",
        monthlyPriceMinor: 1300,
      },
    ],
    cancellations: [],
    callPlanChanges: [],
  },
  cost: { currency: "GBP", currentMonthlyMinor: 1300, monthlyDeltaMinor: 300, newMonthlyMinor: 1600 },
  counts: {
    users: { create: 0, update: 1, replace: 0, delete: 0 },
    devices: { create: 1, update: 0, replace: 0, delete: 0 },
  },
  hasChanges: true,
};

const drift: DriftReport = {
  estate: "small-office",
  stack: "small-office",
  account: plan.account,
  inSync: false,
  drift: [
    {
      resource: "user/john",
      kind: "user",
      key: "john",
      label: `201 ${screenClear}`,
      state: "changed",
      fields: [{ field: "name", declared: "John Smith", live: breakout }],
    },
  ],
  advice: ["sets the changed fields back to their declared values (user john)"],
  pendingCodeChanges: plan,
};

// eslint-disable-next-line no-control-regex -- the check is that none is left
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

const markdown = new MarkdownIt({ html: true, linkify: true });

describe("rendering hostile values", () => {
  it("writes control characters as escapes in terminal output, never raw", () => {
    for (const text of [renderPlanText(plan), renderDriftText(drift)]) {
      expect(text).not.toMatch(CONTROL);
      expect(text).toContain("201 \\u001B[2J\\u001B]0;pwned\\u0007");
      expect(text).toContain("Desk \\u202Eenohp");
    }
  });

  it("renders the Markdown comment as exactly the data: no tag, link or mention goes live, no column breaks", () => {
    for (const [source, ownDetails] of [
      [renderPlanMarkdown(plan), 0],
      [renderDriftMarkdown(drift), 1],
    ] as const) {
      expect(source).not.toMatch(CONTROL);
      const html = markdown.render(source);
      // The only HTML is what our own Markdown makes: no tag or link from the data.
      expect(html).not.toMatch(/<img|<a /);
      expect(html.match(/<\/details>/g) ?? []).toHaveLength(ownDetails);
      const tokens = markdown.parse(source, {});
      const codeSpans = tokens
        .flatMap((t) => t.children ?? [])
        .filter((t) => t.type === "code_inline")
        .map((t) => t.content);
      expect(codeSpans).toContain(`Acme ${breakout}`);
      expect(codeSpans).toContain(breakout);
      expect(codeSpans).toContain("201 \\u001B[2J\\u001B]0;pwned\\u0007");
      expect(codeSpans).toContain("Desk \\u202Eenohp");
      if (ownDetails === 0) expect(codeSpans).toContain(`on, to a@example.com, subject "${backticks}"`);
      // Every row of a table has as many cells as its header.
      let cells: number[] = [];
      let row = 0;
      for (const token of tokens) {
        if (token.type === "table_open") cells = [];
        if (token.type === "tr_open") row = 0;
        if (token.type === "th_open" || token.type === "td_open") row++;
        if (token.type === "tr_close") cells.push(row);
        if (token.type === "table_close") expect(new Set(cells).size, `cells per row: ${cells.join(", ")}`).toBe(1);
      }
    }
  });
});
