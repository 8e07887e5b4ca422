/**
 * Defaults layering and file independence: built-in ← Estate ← group ← user, and the same estate however
 * its users are spread over files or ordered (only source locations differ).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatError, loadEstate } from "../../../estate/files/index.ts";
import type { ResolvedEstate } from "../../../estate/files/index.ts";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "estate-layering-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

async function loadFiles(files: Record<string, string>): Promise<ResolvedEstate> {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(scratch, name), text);
  return loadOk(scratch);
}

async function loadOk(dir: string): Promise<ResolvedEstate> {
  const result = await loadEstate([dir]);
  if (!result.ok) throw new Error(result.errors.map(formatError).join("\n"));
  return result.estate;
}

const ESTATE = `apiVersion: pbx-estate/v1
kind: Estate
metadata: { name: layered }
spec:
  acceptTerms: "2025-01"
  defaults:
    callPlan: national-unlimited
    areaPrefix: "020"
    outboundCallerId: "+442079460000"
  users:
    - { key: plain, name: Plain, extension: "10" }
    - key: own
      name: Own
      extension: "11"
      callPlan: pay-as-you-go
      areaPrefix: "01632"
      outboundCallerId: "+442079460001"
      recording: { enabled: true, email: own@example.com, subject: Own }
      removal: immediately
`;
const GROUP = `apiVersion: pbx-estate/v1
kind: UserGroup
metadata: { name: north }
spec:
  defaults: { areaPrefix: "0161", removal: immediately, recording: { enabled: true, email: north@example.com, subject: North } }
  users:
    - { key: grouped, name: Grouped, extension: "20" }
    - { key: grouped-own, name: Grouped Own, extension: "21", areaPrefix: "0131", recording: { enabled: false } }
`;

describe("defaults layering", () => {
  it("applies built-in, Estate, group and user values in that order, field by field", async () => {
    const estate = await loadFiles({ "estate.yaml": ESTATE, "north.yaml": GROUP });
    const user = (key: string) => {
      const {
        key: _k,
        name: _n,
        extension: _e,
        devices: _d,
        location: _l,
        ...effective
      } = estate.users.find((u) => u.key === key) ?? {};
      return effective;
    };
    expect(user("plain")).toEqual({
      callPlan: "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
      recording: { enabled: false },
      removal: "end-of-month",
    });
    expect(user("own")).toEqual({
      callPlan: "pay-as-you-go",
      areaPrefix: "01632",
      outboundCallerId: "+442079460001",
      recording: { enabled: true, email: "own@example.com", subject: "Own" },
      removal: "immediately",
    });
    expect(user("grouped")).toEqual({
      callPlan: "national-unlimited",
      areaPrefix: "0161",
      outboundCallerId: "+442079460000",
      recording: { enabled: true, email: "north@example.com", subject: "North" },
      removal: "immediately",
    });
    expect(user("grouped-own")).toMatchObject({
      areaPrefix: "0131",
      recording: { enabled: false },
      removal: "immediately",
    });
  });

  it("does not let a group's defaults reach users outside the group", async () => {
    const estate = await loadFiles({ "estate.yaml": ESTATE, "north.yaml": GROUP });
    expect(estate.users.find((u) => u.key === "plain")?.areaPrefix).toBe("020");
    expect(estate.users.map((u) => [u.key, u.location.group])).toEqual([
      ["grouped", "north"],
      ["grouped-own", "north"],
      ["own", null],
      ["plain", null],
    ]);
  });

  it("reads several documents from one file", async () => {
    const estate = await loadFiles({ "all.yaml": `${ESTATE}---\n${GROUP}` });
    expect(estate.users.map((u) => u.key)).toEqual(["grouped", "grouped-own", "own", "plain"]);
    expect(estate.users.find((u) => u.key === "grouped")?.location).toMatchObject({ line: 27, group: "north" });
  });
});

describe("the same estate however the files are arranged", () => {
  type Doc = { spec: { defaults?: Record<string, unknown>; users?: Record<string, unknown>[] } };
  const read = (dir: string, file: string) => load(readFileSync(join(dir, file), "utf8")) as Doc;
  const write = (dir: string, file: string, doc: Doc) => writeFileSync(join(dir, file), dump(doc));
  const withoutLocations = (estate: ResolvedEstate) =>
    estate.users.map(({ location: _l, devices, ...user }) => ({
      ...user,
      devices: devices.map(({ location: _d, ...device }) => device),
    }));

  it("moving users between files and reordering them changes only source locations", async () => {
    const original = await loadOk(join(import.meta.dirname, "..", "..", "..", "examples", "multi-site"));
    const dir = join(scratch, "rearranged");
    cpSync(join(import.meta.dirname, "..", "..", "..", "examples", "multi-site"), dir, { recursive: true });

    const estate = read(dir, "estate.yaml");
    const london = read(dir, "london.yaml");
    const manchester = read(dir, "manchester.yaml");
    // A London user moves to the Estate file, where the defaults give the same values.
    const [movedToEstate] = london.spec.users?.splice(2, 1) ?? [];
    estate.spec.users = [movedToEstate ?? {}];
    // A Manchester user moves to London, keeping Manchester's values by setting them itself.
    const [movedToLondon] = manchester.spec.users?.splice(1, 1) ?? [];
    london.spec.users?.push({ ...movedToLondon, areaPrefix: "0161", outboundCallerId: "+442079460001" });
    // Every group lists its users backwards.
    london.spec.users?.reverse();
    manchester.spec.users?.reverse();
    write(dir, "estate.yaml", estate);
    write(dir, "london.yaml", london);
    write(dir, "manchester.yaml", manchester);

    const rearranged = await loadOk(dir);
    expect(withoutLocations(rearranged)).toEqual(withoutLocations(original));
    expect({ ...rearranged, users: [], location: null }).toEqual({ ...original, users: [], location: null });
    // The comparison is not vacuous: the moved users' locations did change.
    const where = (e: ResolvedEstate, key: string) => e.users.find((u) => u.key === key)?.location;
    expect(where(rearranged, "isla-morgan")).toMatchObject({ group: null, file: join(dir, "estate.yaml") });
    expect(where(original, "isla-morgan")).toMatchObject({ group: "london" });
    expect(where(rearranged, "jacob-mitchell")?.file).toBe(join(dir, "london.yaml"));
  });
});
