// The registrar takes a user's dialling area by the same rule as the backend: no lone 0 or 00.
import { describe, expect, it } from "vitest";
import { parseSnapshot } from "../../registrar/store-contract.ts";

const snapshot = (areaPrefix: string) => ({
  revision: 1,
  devices: [],
  users: [
    {
      id: "usr_aaaaaaaaaaaaaaaaaaaa",
      extension: "201",
      areaPrefix,
      callerId: "+442079460000",
      callPlan: "national-unlimited" as const,
      recording: null,
    },
  ],
});

describe("the registrar's snapshot rules", () => {
  it("accepts a dialling area with or without its trunk 0", () => {
    for (const areaPrefix of ["020", "0161", "01632", "20"])
      expect(parseSnapshot(snapshot(areaPrefix)).users[0]?.areaPrefix).toBe(areaPrefix);
  });
  it("refuses a lone 0, 00 and more than 7 digits, as the backend does", () => {
    for (const areaPrefix of ["0", "00", "0020", "01234567"])
      expect(() => parseSnapshot(snapshot(areaPrefix)), areaPrefix).toThrow(/areaPrefix/);
  });
});
