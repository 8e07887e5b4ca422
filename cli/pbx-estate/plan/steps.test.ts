import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { describe, expect, it } from "vitest";
import { estateSteps, removedIds } from "./steps.ts";

const urn = (type: string, name: string) =>
  `urn:pulumi:office::pbx-estate::pbx:index:Estate$pulumi-nodejs:dynamic/pbx:${type}::${name}`;
const state = (id: string, name: string) => ({
  type: "",
  urn: "",
  id,
  parent: "",
  inputs: { name },
  outputs: { name },
  provider: "",
});

function outputs(
  op: string,
  type: string,
  name: string,
  old?: ReturnType<typeof state>,
  after?: ReturnType<typeof state>,
): EngineEvent {
  return {
    sequence: 0,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op,
        urn: urn(type, name),
        type: `pulumi-nodejs:dynamic/pbx:${type}`,
        provider: "",
        ...(old ? { old } : {}),
        ...(after ? { new: after } : {}),
      },
    },
  } as unknown as EngineEvent;
}

describe("estate steps", () => {
  it("reads keys and kinds from logical names, and folds a replacement's steps into one", () => {
    const steps = estateSteps([
      outputs("refresh", "PbxUser", "user/john", state("usr_1", "John"), state("usr_1", "John")),
      outputs("same", "PbxUser", "user/john", state("usr_1", "John"), state("usr_1", "John")),
      outputs("create-replacement", "SipDevice", "device/desk", state("dev_1", "Desk"), state("", "Desk")),
      outputs("replace", "SipDevice", "device/desk", state("dev_1", "Desk"), state("", "Desk")),
      outputs("delete-replaced", "SipDevice", "device/desk", state("dev_1", "Desk")),
      outputs("delete", "ServiceSubscription", "device/old-phone/licence", state("sub_9", "")),
      outputs("create", "ServiceSubscription", "not-an-estate-name", undefined, state("", "")),
    ]);
    expect(steps.map((s) => [s.name, s.kind, s.key, s.op, s.old?.id, s.new?.inputs.name])).toEqual([
      ["user/john", "user", "john", "same", "usr_1", "John"],
      ["device/desk", "device", "desk", "replace", "dev_1", "Desk"],
      ["device/old-phone/licence", "device-licence", "old-phone", "delete", "sub_9", undefined],
    ]);
  });

  it("names every object a plan removes, a replacement left pending by an earlier run included", () => {
    const ids = removedIds([
      outputs("refresh", "PbxUser", "user/john", state("usr_1", "John"), state("usr_1", "John")),
      outputs("same", "PbxUser", "user/john", state("usr_1", "John"), state("usr_1", "John")),
      outputs("update", "PbxUser", "user/jane", state("usr_2", "Jane"), state("usr_2", "Jane D")),
      outputs("create-replacement", "SipDevice", "device/desk", state("dev_1", "Desk"), state("", "Desk")),
      outputs("replace", "SipDevice", "device/desk", state("dev_1", "Desk"), state("", "Desk")),
      outputs("delete-replaced", "SipDevice", "device/desk", state("dev_1", "Desk")),
      // A licence whose replacement's removal failed last time: the same URN as the live one, another id.
      outputs("same", "ServiceSubscription", "user/john/licence", state("sub_2", ""), state("sub_2", "")),
      outputs("delete-replaced", "ServiceSubscription", "user/john/licence", state("sub_1", "")),
      outputs("delete", "ServiceSubscription", "device/old-phone/licence", state("sub_9", "")),
    ]);
    expect(ids.sort()).toEqual(["dev_1", "sub_1", "sub_9"]);
  });
});
