import { describe, expect, it } from "vitest";
import { oneUserEstate } from "../test/fixtures/one-user-estate.ts";
import { estateResources } from "./estate-resources.ts";

const estate = oneUserEstate({ rotation: "2026-01" });

describe("the estate's resources", () => {
  it("are per user its licence, each device's licence and device, then the user, with outputs by name", () => {
    const resources = estateResources(estate);
    expect(resources.map((r) => [r.name, r.kind, r.key, r.type])).toEqual([
      ["user/john/licence", "user-licence", "john", "ServiceSubscription"],
      ["device/john-desk/licence", "device-licence", "john-desk", "ServiceSubscription"],
      ["device/john-desk", "device", "john-desk", "SipDevice"],
      ["user/john", "user", "john", "PbxUser"],
    ]);
    expect(resources[0]!.args).toEqual({
      product: "user-licence",
      callPlan: "national-unlimited",
      termsVersion: "2025-01",
      removal: "end-of-month",
    });
    expect(resources[2]!.args).toEqual({
      name: "Desk",
      licenceId: { outputOf: "device/john-desk/licence", output: "id" },
      rotation: "2026-01",
    });
    expect(resources[3]!.args).toMatchObject({
      licenceId: { outputOf: "user/john/licence", output: "id" },
      callPlan: { outputOf: "user/john/licence", output: "callPlan" },
      deviceIds: [{ outputOf: "device/john-desk", output: "id" }],
    });
  });

  it("adopt the objects an export names", () => {
    const adopt = {
      users: { john: { user: "usr_1", licence: "sub_1" } },
      devices: { "john-desk": { device: "dev_1", licence: "sub_2" } },
    };
    expect(estateResources(estate, adopt).map((r) => r.args.adopt)).toEqual(["sub_1", "sub_2", "dev_1", "usr_1"]);
  });
});
