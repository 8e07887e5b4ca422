import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkpointFile,
  fileBackendFolder,
  recordedAccounts,
  recordedDeployment,
  recordedResources,
} from "./recorded-state.ts";

const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc:def" };
const device = {
  urn: "urn:pulumi:office::pbx-estate::pbx:index:Estate$pulumi-nodejs:dynamic/pbx:SipDevice::device/desk",
  type: "pulumi-nodejs:dynamic/pbx:SipDevice",
  id: "dev_1",
  inputs: { name: "Desk", licenceId: "sub_1" },
  outputs: { name: "Desk", licenceId: "sub_1", sipPassword: secret },
};
const deployment = {
  resources: [
    { urn: "urn:pulumi:office::pbx-estate::pulumi:pulumi:Stack::pbx-estate-office", type: "pulumi:pulumi:Stack" },
    device,
  ],
};
const checkpoint = (latest: unknown) => JSON.stringify({ version: 3, checkpoint: { stack: "x", latest } });

const folders: string[] = [];
function backendFolder(layout: "projects" | "legacy"): string {
  const folder = mkdtempSync(join(tmpdir(), "pbx-checkpoint-"));
  folders.push(folder);
  mkdirSync(join(folder, ".pulumi", "stacks", "pbx-estate"), { recursive: true });
  if (layout === "projects") writeFileSync(join(folder, ".pulumi", "meta.yaml"), "version: 1\n");
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe("the recorded state", () => {
  it("is the estate's resources, named by kind and key, with secrets shown as the engine's events show them", () => {
    const { resources, engineNeeded } = recordedResources(deployment);
    expect(engineNeeded).toBeUndefined();
    expect(resources).toEqual([
      {
        urn: device.urn,
        name: "device/desk",
        kind: "device",
        key: "desk",
        id: "dev_1",
        inputs: device.inputs,
        outputs: {
          ...device.outputs,
          sipPassword: {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            ciphertext: "[secret]",
          },
        },
      },
    ]);
  });

  it("names what only the engine plans: pending deletions, pending operations, half-made resources", () => {
    expect(recordedResources({ resources: [{ ...device, delete: true }] }).engineNeeded).toMatch(
      /device\/desk awaits deletion/,
    );
    expect(recordedResources({ resources: [{ ...device, initErrors: ["boom"] }] }).engineNeeded).toMatch(/half-made/);
    expect(
      recordedResources({
        resources: [device],
        pending_operations: [{ resource: { urn: device.urn, type: device.type } }],
      }).engineNeeded,
    ).toMatch(/1 operations of an interrupted run/);
  });

  it("is read from a file backend's checkpoint, plain or gzipped, in either layout", async () => {
    const projects = backendFolder("projects");
    const url = `file://${projects}?metadata=skip`;
    expect(fileBackendFolder(url)).toBe(projects);
    expect(fileBackendFolder("file://~/state")).toBe(join(homedir(), "state"));
    expect(fileBackendFolder("postgres://db/state")).toBeUndefined();
    expect(checkpointFile(projects, "pbx-estate", "office")).toBeUndefined();
    const exportStack = () => Promise.reject(new Error("a file backend is read directly"));
    expect(await recordedDeployment(url, "pbx-estate", "office", exportStack)).toBeUndefined();

    writeFileSync(
      join(projects, ".pulumi", "stacks", "pbx-estate", "office.json.gz"),
      gzipSync(checkpoint(deployment)),
    );
    const recorded = await recordedDeployment(url, "pbx-estate", "office", exportStack);
    expect(recordedResources(recorded!).resources.map((r) => r.id)).toEqual(["dev_1"]);

    const legacy = backendFolder("legacy");
    writeFileSync(join(legacy, ".pulumi", "stacks", "office.json"), checkpoint(deployment));
    expect(checkpointFile(legacy, "pbx-estate", "office")).toBe(join(legacy, ".pulumi", "stacks", "office.json"));
  });

  it("comes from the engine's export on any other backend", async () => {
    const recorded = await recordedDeployment("postgres://db/state", "pbx-estate", "office", async () => ({
      deployment,
    }));
    expect(recordedResources(recorded!).resources.map((r) => r.name)).toEqual(["device/desk"]);
  });

  it("names the accounts of the estate's objects, once each", () => {
    const other = { ...device, urn: `${device.urn}2`, outputs: { ...device.outputs, accountId: "acc_2" } };
    const mine = { ...device, outputs: { ...device.outputs, accountId: "acc_1" } };
    expect(recordedAccounts({ resources: [mine, other, { ...other, urn: `${device.urn}3` }] })).toEqual([
      "acc_1",
      "acc_2",
    ]);
    expect(recordedAccounts({})).toEqual([]);
  });
});
