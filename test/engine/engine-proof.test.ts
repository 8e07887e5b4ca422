/**
 * Proves the engine harness against the real Pulumi CLI: a dynamic resource is created, previewed with no
 * changes, updated, drifts behind the engine's back, and is destroyed; dependent resources are created and
 * deleted in dependency order. Every assertion reads the engine's own structured events.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EngineRunError, EngineWorkspace } from "./harness.ts";
import { JsonRecord } from "./json-record/resource.ts";

let folder: string;
let file: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "json-record-"));
  file = join(folder, "records.json");
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const records = (): Record<string, Record<string, string>> =>
  JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string>>;

describe("the real Pulumi engine driving a dynamic provider", () => {
  it("creates, previews clean, updates one property, detects drift on refresh, and destroys", async () => {
    await using engine = await EngineWorkspace.create({
      program: async () => {
        new JsonRecord("desk", { file, fields: { label: "John's Desk Phone", colour: "black" } });
      },
    });

    const created = await engine.up();
    expect(created.steps.map((s) => [s.op, s.name])).toEqual([["create", "desk"]]);
    expect(Object.values(records())).toEqual([{ label: "John's Desk Phone", colour: "black" }]);

    const clean = await engine.preview({ expectNoChanges: true });
    expect(clean.steps.every((s) => s.op === "same")).toBe(true);

    engine.setProgram(async () => {
      new JsonRecord("desk", { file, fields: { label: "John's Desk Phone", colour: "white" } });
    });
    const updated = await engine.up();
    expect(updated.steps).toHaveLength(1);
    expect(updated.steps[0]).toMatchObject({ op: "update", name: "desk", diffs: ["fields"] });
    expect(Object.values(records())).toEqual([{ label: "John's Desk Phone", colour: "white" }]);

    const [id] = Object.keys(records());
    writeFileSync(file, JSON.stringify({ [id!]: { label: "John's Desk Phone", colour: "red" } }));
    const drift = await engine.refreshPreview({ expectNoChanges: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(drift).toBeInstanceOf(EngineRunError);
    expect((drift as EngineRunError).exitCode).toBe(7);
    expect((drift as EngineRunError).run.steps).toEqual([
      expect.objectContaining({ op: "update", name: "desk", diffs: ["fields"] }),
    ]);
    expect(records()[id!]).toEqual({ label: "John's Desk Phone", colour: "red" }); // a preview changes nothing

    const destroyed = await engine.destroy();
    expect(destroyed.steps.map((s) => [s.op, s.name])).toEqual([["delete", "desk"]]);
    expect(records()).toEqual({});
  });

  it("creates A, B, C in dependency order and deletes them in reverse", async () => {
    await using engine = await EngineWorkspace.create({
      program: async () => {
        const a = new JsonRecord("a", { file, fields: { role: "licence" } });
        const b = new JsonRecord("b", { file, fields: { role: "device", after: a.id } });
        new JsonRecord("c", { file, fields: { role: "user", after: b.id } });
      },
    });

    const up = await engine.up({ parallel: 8 });
    expect(up.steps.map((s) => `${s.op} ${s.name}`)).toEqual(["create a", "create b", "create c"]);

    const destroyed = await engine.destroy();
    expect(destroyed.steps.map((s) => `${s.op} ${s.name}`)).toEqual(["delete c", "delete b", "delete a"]);
  });
});
