import { describe, expect, it } from "vitest";
import { decideCreate, generationOf, referenceFor, type Candidate } from "./identity.ts";

const base = "pbx:john-desk.0123456789abcdef0123";
const obj = (id: string, generation: number, live = true): Candidate => ({
  id,
  clientReference: referenceFor(base, generation),
  live,
});

describe("client references and the adopt-or-create decision", () => {
  it("numbers generations after the first", () => {
    expect(referenceFor(base, 1)).toBe(base);
    expect(referenceFor(base, 3)).toBe(`${base}/g3`);
    expect(generationOf(base, `${base}/g3`)).toBe(3);
    expect(generationOf(base, `${base}x`)).toBeUndefined();
    expect(generationOf(base, "pbx:other.ffff")).toBeUndefined();
  });

  it("a first create with nothing found makes generation 1", () => {
    expect(decideCreate(base, false, [])).toEqual({ create: base });
  });

  it("a first create retried after a crash adopts what the first attempt made", () => {
    expect(decideCreate(base, false, [obj("dev_a", 1)])).toEqual({ adopt: obj("dev_a", 1) });
  });

  it("a first create after the old objects were removed makes a new generation instead of reviving them", () => {
    expect(decideCreate(base, false, [obj("sub_a", 1, false), obj("sub_b", 2, false)])).toEqual({
      create: `${base}/g3`,
    });
  });

  it("a forced replacement makes a new object even though the old one is live", () => {
    expect(decideCreate(base, true, [obj("dev_a", 1)])).toEqual({ create: `${base}/g2` });
  });

  it("a replacement retried after a crash adopts its own orphan, not the object being replaced", () => {
    expect(decideCreate(base, true, [obj("dev_a", 1), obj("dev_b", 2)])).toEqual({ adopt: obj("dev_b", 2) });
  });

  it("a second replacement skips every generation already used", () => {
    expect(decideCreate(base, true, [obj("dev_b", 2)])).toEqual({ create: `${base}/g3` });
  });

  it("ignores objects of other resources", () => {
    const other: Candidate = { id: "dev_x", clientReference: "pbx:jane.ffffffffffffffffffff", live: true };
    expect(decideCreate(base, false, [other])).toEqual({ create: base });
  });
});

describe("what check tells create", () => {
  it("a resource checked with old inputs stays marked as replaced, even after the replacement's re-check without them", async () => {
    const { rememberCheck, hadState } = await import("./identity.ts");
    rememberCheck("pbx:a.1", true);
    rememberCheck("pbx:a.1", false);
    expect(hadState("pbx:a.1")).toBe(true);
    rememberCheck("pbx:b.2", false);
    expect(hadState("pbx:b.2")).toBe(false);
    expect(hadState("pbx:c.3")).toBeUndefined();
  });
});
