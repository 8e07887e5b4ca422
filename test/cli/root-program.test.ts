/**
 * The root Pulumi.yaml's program (estate/program/main.ts), run inline because the Node.js language host
 * is not available here: it reads the estate's files from `pbx-estate:paths` and insists on the stack
 * named after the estate, as the CLI names it.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import estateMain from "../../estate/program/main.ts";
import { EngineRunError, EngineWorkspace, repoRoot } from "../engine/harness.ts";
import { startTestBackend } from "../provider/harness.ts";

describe("the root Pulumi.yaml program", () => {
  it("previews the estate named by pbx-estate:paths in the stack of the same name, and refuses another stack", async () => {
    await using backend = await startTestBackend();
    const config = { "pbx-estate:paths": { value: join(repoRoot, "examples", "small-office") } };
    const env = { PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token };
    await using engine = await EngineWorkspace.create({
      program: estateMain,
      projectName: "pbx-estate",
      stackName: "small-office",
      config,
      env,
    });
    const preview = await engine.preview();
    // The component reports its outputs twice (registered, then completed): names are compared as a set.
    expect([...new Set(preview.steps.filter((s) => s.op === "create").map((s) => s.name))].sort()).toEqual([
      "device/john-desk-phone",
      "device/john-desk-phone/licence",
      "device/john-softphone",
      "device/john-softphone/licence",
      "device/reception-phone",
      "device/reception-phone/licence",
      "small-office",
      "user/john",
      "user/john/licence",
      "user/priya",
      "user/priya/licence",
    ]);

    await using other = await EngineWorkspace.create({
      program: estateMain,
      projectName: "pbx-estate",
      stackName: "staging",
      config,
      env,
    });
    const refused = await other.preview().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(EngineRunError);
    expect((refused as Error).message).toContain(
      "estate small-office belongs in stack small-office (one stack per estate), not staging",
    );
  });
});
