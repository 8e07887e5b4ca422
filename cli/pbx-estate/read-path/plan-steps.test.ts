import { describe, expect, it } from "vitest";
import { oneUserEstate } from "../../../test/fixtures/one-user-estate.ts";
import { unknownValue } from "../../../provider/contract.ts";
import { estateResources } from "../../../sdk/estate-resources.ts";
import { previewSteps, refreshSteps } from "./plan-steps.ts";
import type { RecordedResource } from "./recorded-state.ts";

const estate = oneUserEstate();
const names = { project: "pbx-estate", stack: "office" };

describe("steps worked out without the engine", () => {
  it("create everything on an empty stack, ids unknown until the apply and the licence's call plan known", () => {
    const { steps, removedIds } = previewSteps(names, estateResources(estate), []);
    expect(steps.map((s) => [s.name, s.op])).toEqual([
      ["user/john/licence", "create"],
      ["device/john-desk/licence", "create"],
      ["device/john-desk", "create"],
      ["user/john", "create"],
    ]);
    const user = steps[3]!.new!.inputs;
    expect(user).toMatchObject({ licenceId: unknownValue, callPlan: "national-unlimited", deviceIds: [unknownValue] });
    expect(user.clientReference).toMatch(/^pbx:[0-9a-f]{8}:user-john\.[0-9a-f]{20}$/);
    expect(removedIds).toEqual([]);
  });

  it("keep what did not change, update what did, delete what is no longer declared", () => {
    const first = previewSteps(names, estateResources(estate), []).steps;
    const ids: Record<string, string> = {
      "user/john/licence": "sub_aaaaaaaaaaaaaaaaaaa1",
      "device/john-desk/licence": "sub_aaaaaaaaaaaaaaaaaaa2",
      "device/john-desk": "dev_aaaaaaaaaaaaaaaaaaa1",
      "user/john": "usr_aaaaaaaaaaaaaaaaaaa1",
    };
    const applied: RecordedResource[] = first.map((s) => {
      const inputs = JSON.parse(
        JSON.stringify(s.new!.inputs)
          .replace(
            `"licenceId":"${unknownValue}"`,
            `"licenceId":"${s.kind === "user" ? "sub_aaaaaaaaaaaaaaaaaaa1" : "sub_aaaaaaaaaaaaaaaaaaa2"}"`,
          )
          .replace(`"${unknownValue}"`, '"dev_aaaaaaaaaaaaaaaaaaa1"'),
      ) as Record<string, unknown>;
      return {
        urn: s.urn,
        name: s.name,
        kind: s.kind,
        key: s.key,
        id: ids[s.name]!,
        inputs,
        outputs: { ...inputs, status: "active" },
      };
    });
    const same = previewSteps(names, estateResources(estate), applied);
    expect(same.steps.map((s) => s.op)).toEqual(["same", "same", "same", "same"]);

    const renamed = applied.map((r) =>
      r.name === "user/john" ? { ...r, outputs: { ...r.outputs, name: "Johnny" } } : r,
    );
    const withoutDevice = { ...estate, users: [{ ...estate.users[0]!, devices: [] }] };
    const { steps, removedIds } = previewSteps(names, estateResources(withoutDevice), renamed);
    expect(steps.map((s) => [s.name, s.op])).toEqual([
      ["user/john/licence", "same"],
      ["user/john", "update"],
      ["device/john-desk/licence", "delete"],
      ["device/john-desk", "delete"],
    ]);
    expect(removedIds).toEqual(["dev_aaaaaaaaaaaaaaaaaaa1", "sub_aaaaaaaaaaaaaaaaaaa2"]);

    const refresh = refreshSteps(applied, new Map([["user/john", renamed.at(-1)!.outputs]]));
    expect(refresh.map((s) => [s.name, s.op])).toEqual([
      ["user/john/licence", "delete"],
      ["device/john-desk/licence", "delete"],
      ["device/john-desk", "delete"],
      ["user/john", "update"],
    ]);
  });
});
