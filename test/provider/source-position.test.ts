/**
 * Pulumi records where each resource was declared (its source position, shown by Pulumi Cloud and in
 * diagnostics). It must name the line of the platform team's program, not a line inside this SDK.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PbxUser, ServiceSubscription, SipDevice } from "../../sdk/index.ts";
import { estateEngine, NUMBERS, startTestBackend, TERMS } from "./harness.ts";

interface StateResource {
  type: string;
  urn: string;
  sourcePosition?: string;
}

const thisFile = fileURLToPath(import.meta.url);
/** The 1-based line of this file after the one that holds `marker`: the declaration the marker heads. */
const lineOf = (marker: string) =>
  readFileSync(thisFile, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(marker)) + 2;

describe("source positions", () => {
  it("name the program's line that declared each licence, device and user", async () => {
    await using backend = await startTestBackend();
    // A named function: the Node SDK reads positions only from stack frames of the form `at name (file:line:column)`.
    await using engine = await estateEngine(backend, async function declareEstate() {
      // declared below: licence
      const userLicence = new ServiceSubscription("licence", {
        product: "user-licence",
        callPlan: "national-unlimited",
        termsVersion: TERMS,
      });
      // declared below: device-licence
      const deviceLicence = new ServiceSubscription("device-licence", {
        product: "sip-device-licence",
        termsVersion: TERMS,
      });
      // declared below: desk
      const desk = new SipDevice("desk", { name: "Desk Phone", licenceId: deviceLicence.id });
      // declared below: user
      new PbxUser("user", {
        name: "Ann",
        extension: "301",
        licenceId: userLicence.id,
        areaPrefix: "020",
        outboundCallerId: NUMBERS[0]!,
        deviceIds: [desk.id],
      });
    });
    await engine.up();

    const { deployment } = (await engine.stack.exportStack()) as { deployment: { resources: StateResource[] } };
    // `project:///<path relative to the workspace>#line,column`, read back as an absolute file and a line.
    const workDir = engine.stack.workspace.workDir;
    const positions = Object.fromEntries(
      deployment.resources
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pbx:"))
        .map((r) => {
          const [, path, line] = /^project:\/\/\/(.+)#(\d+),\d+$/.exec(r.sourcePosition ?? "") ?? [];
          return [
            r.urn.split("::").pop() ?? r.urn,
            path === undefined ? r.sourcePosition : `${resolve(workDir, path)}#${line}`,
          ];
        }),
    );
    const here = thisFile;
    expect(positions).toEqual({
      licence: `${here}#${lineOf("// declared below: licence")}`,
      "device-licence": `${here}#${lineOf("// declared below: device-licence")}`,
      desk: `${here}#${lineOf("// declared below: desk")}`,
      user: `${here}#${lineOf("// declared below: user")}`,
    });
  });
});
