/** The example estates in examples/ load, and resolve to what their files say. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TERMS_VERSION } from "../../../backend/catalogue/service.ts";
import { formatError, loadEstate } from "../../../estate/files/index.ts";
import type { ResolvedEstate } from "../../../estate/files/index.ts";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

async function load(dir: string): Promise<ResolvedEstate> {
  const result = await loadEstate([join(repoRoot, "examples", dir)]);
  if (!result.ok) throw new Error(result.errors.map(formatError).join("\n"));
  return result.estate;
}

describe("examples/small-office", () => {
  it("declares John with two devices and recording, and Priya at reception", async () => {
    const estate = await load("small-office");
    expect(estate.name).toBe("small-office");
    expect(estate.acceptTerms).toBe(TERMS_VERSION);
    const [john, priya] = [estate.users.find((u) => u.key === "john"), estate.users.find((u) => u.key === "priya")];
    expect(estate.users).toHaveLength(2);
    expect(john).toMatchObject({
      name: "John Smith",
      extension: "201",
      callPlan: "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
      recording: { enabled: true, email: "call-recordings@example.com", subject: "Outbound call: John Smith" },
      removal: "end-of-month",
      location: { line: 14, column: 7, group: null },
    });
    expect(john?.devices.map((d) => [d.key, d.name])).toEqual([
      ["john-desk-phone", "John's Desk Phone"],
      ["john-softphone", "John's Softphone"],
    ]);
    expect(priya).toMatchObject({
      name: "Priya Patel",
      extension: "200",
      callPlan: "international",
      areaPrefix: "020",
      recording: { enabled: false },
    });
    expect(priya?.devices.map((d) => d.name)).toEqual(["Reception Phone"]);
  });
});

describe("examples/multi-site", () => {
  it("spreads about 60 users over three sites, each with its area prefix and distinct extensions", async () => {
    const estate = await load("multi-site");
    expect(estate.name).toBe("multi-site");
    expect(estate.users).toHaveLength(60);
    expect(new Set(estate.users.map((u) => u.extension)).size).toBe(60);

    const sites = { london: "020", manchester: "0161", edinburgh: "0131" };
    for (const [site, prefix] of Object.entries(sites)) {
      const users = estate.users.filter((u) => u.location.group === site);
      expect(users, site).toHaveLength(20);
      expect(new Set(users.map((u) => u.areaPrefix)), site).toEqual(new Set([prefix]));
      expect(users.every((u) => u.location.file.endsWith(`${site}.yaml`))).toBe(true);
      // Every other user also has a softphone: ten with two devices, ten with one.
      expect(users.filter((u) => u.devices.length === 2)).toHaveLength(10);
      expect(users.filter((u) => u.devices.length === 2).every((u) => u.devices[1]?.name.endsWith("Softphone"))).toBe(
        true,
      );
    }
  });

  it("layers the estate's, the group's and the user's own values", async () => {
    const estate = await load("multi-site");
    const byKey = (key: string) => estate.users.find((u) => u.key === key);
    // Manchester's group defaults set its own caller ID; London's users keep the estate's.
    expect(byKey("jacob-mitchell")).toMatchObject({
      callPlan: "national-unlimited",
      areaPrefix: "0161",
      outboundCallerId: "+442079460001",
    });
    expect(byKey("oliver-bennett")).toMatchObject({
      callPlan: "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
      recording: { enabled: false },
    });
    // The first user of each site overrides the call plan and records calls.
    expect(byKey("charlotte-adams")).toMatchObject({
      callPlan: "international",
      recording: { enabled: true, email: "call-recordings@example.com" },
    });
  });
});
