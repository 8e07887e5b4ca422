import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PLANNED_STEPS_ENV, refuseUnplannedStep, type PlannedSteps } from "./planned-steps.ts";

const folder = mkdtempSync(join(tmpdir(), "pbx-planned-steps-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const desk = "pbx:0123abcd:device-john-desk.0123456789abcdef0123";
const jane = "pbx:0123abcd:user-jane.0123456789abcdef0123";
let files = 0;

/** The environment of a run whose plan is `steps` (a file per plan: the guard reads each path once). */
function planned(steps: PlannedSteps | string): NodeJS.ProcessEnv {
  const path = join(folder, `steps-${++files}.json`);
  writeFileSync(path, typeof steps === "string" ? steps : JSON.stringify(steps));
  return { [PLANNED_STEPS_ENV]: path };
}

describe("refuseUnplannedStep", () => {
  it("checks nothing without the variable", () => {
    expect(() => refuseUnplannedStep(desk, { op: "replace", fields: ["name"] }, {})).not.toThrow();
  });

  it("refuses a change to a resource the plan leaves unchanged, and a create it does not name", () => {
    const env = planned({});
    expect(() => refuseUnplannedStep(desk, { op: "same", fields: [] }, env)).not.toThrow();
    expect(() => refuseUnplannedStep(desk, { op: "update", fields: ["name"] }, env)).toThrow(
      "refused to change device-john-desk: the plan this run carries out leaves device-john-desk unchanged, but this update would update it (it differs in name)",
    );
    expect(() => refuseUnplannedStep(jane, { op: "create", fields: [] }, env)).toThrow(
      "the plan this run carries out leaves user-jane unchanged, but this update would create it",
    );
  });

  it("refuses another operation or a field beyond the plan's, and allows less than planned", () => {
    const env = planned({
      [desk]: { op: "update", fields: ["name", "licenceId"] },
      [jane]: { op: "create", fields: [] },
    });
    expect(() => refuseUnplannedStep(desk, { op: "update", fields: ["name"] }, env)).not.toThrow();
    expect(() => refuseUnplannedStep(desk, { op: "same", fields: [] }, env)).not.toThrow();
    expect(() => refuseUnplannedStep(desk, { op: "update", fields: ["name", "rotation"] }, env)).toThrow(
      "the plan this run carries out changes name, licenceId of device-john-desk, but this update would also change rotation",
    );
    expect(() => refuseUnplannedStep(desk, { op: "replace", fields: ["name"] }, env)).toThrow(
      "the plan this run carries out updates device-john-desk, but this update would replace it",
    );
    expect(() => refuseUnplannedStep(jane, { op: "create", fields: [] }, env)).not.toThrow();
    expect(() => refuseUnplannedStep(jane, { op: "same", fields: [] }, env)).toThrow(
      "the plan this run carries out creates user-jane, but this update would leave it unchanged",
    );
  });

  it("refuses everything when the plan cannot be read", () => {
    expect(() => refuseUnplannedStep(desk, { op: "same", fields: [] }, planned("[1]"))).toThrow("malformed");
    expect(() =>
      refuseUnplannedStep(desk, { op: "same", fields: [] }, { [PLANNED_STEPS_ENV]: join(folder, "missing.json") }),
    ).toThrow("cannot be read");
  });
});
