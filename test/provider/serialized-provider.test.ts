/**
 * The serialized provider each resource carries: small, free of credentials and absolute paths, and
 * working when loaded from its text in a fresh Node process, as the engine's plugin loads it.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { providerShim, type ResourceKind } from "../../sdk/provider-shim.ts";
import { repoRoot } from "../engine/harness.ts";
import { estateEngine, startTestBackend } from "./harness.ts";
import { johnEstate } from "./estate.ts";

/** The provider text pbx-estate wrote into state before it was shortened (the same loader, wrapped lazily). */
function earlierShim(kind: ResourceKind): string {
  const load = `()=>require("node:module").createRequire(require("node:path").join(process.cwd(),"pbx-estate.js"))("pbx-estate/provider").hooksFor(${JSON.stringify(kind)})`;
  const methods = ["check", "diff", "create", "read", "update", "delete", "configure"]
    .map((hook) => `${hook}:(...a)=>m().${hook}(...a)`)
    .join(",");
  return `exports.handler=()=>{const m=${load};return{${methods}}};\n`;
}
const kindOf: Record<string, ResourceKind> = {
  ServiceSubscription: "subscription",
  SipDevice: "device",
  PbxUser: "user",
};

/**
 * Loads `shim` with require-from-string in a new process in the repository and runs `script` against it.
 * Asynchronous, so the backend serving this test process keeps answering meanwhile.
 */
async function inFreshProcess(shim: string, script: string, env: Record<string, string> = {}): Promise<unknown> {
  const program = `
    const requireFromString = require("require-from-string");
    const hooks = requireFromString(${JSON.stringify(shim)}).handler();
    (async () => { ${script} })().then((r) => process.stdout.write(JSON.stringify(r ?? null)), (e) => { process.stdout.write(JSON.stringify({ thrown: String(e.message) })); });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=commonjs", "-e", program], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return JSON.parse(stdout);
}

describe("the serialized provider", () => {
  for (const kind of ["subscription", "device", "user"] as ResourceKind[]) {
    it(`${kind}: under 1 KB, with no path or secret in it, and loads its hooks in a fresh process`, async () => {
      const shim = providerShim(kind);
      expect(shim.length).toBeLessThan(1024);
      expect(shim).not.toMatch(/\/(work|home|tmp|root)\//);
      const hooks = await inFreshProcess(shim, `return Object.keys(hooks).sort();`);
      expect(hooks).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
    });
  }

  it("checks input and talks to the backend from a fresh process, with credentials only from its environment", async () => {
    await using backend = await startTestBackend();
    const shim = providerShim("device");
    const failures = await inFreshProcess(
      shim,
      `return (await hooks.check({}, { name: "", licenceId: "sub_aaaaaaaaaaaaaaaaaaaa" })).failures;`,
    );
    expect(failures).toEqual([expect.objectContaining({ property: "name" })]);

    // A device that is not there, read with the account recorded in state: gone, no error.
    const read = await inFreshProcess(
      shim,
      `return hooks.read("dev_aaaaaaaaaaaaaaaaaaaa", { accountId: ${JSON.stringify(backend.accountId)} });`,
      { PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token },
    );
    expect(read).toEqual({});
    // Without credentials it says what to set, not a stack trace.
    const unconfigured = await inFreshProcess(shim, `return hooks.read("dev_aaaaaaaaaaaaaaaaaaaa", {});`);
    expect(unconfigured).toEqual({ thrown: expect.stringContaining("pbx:endpoint or PBX_ENDPOINT") as string });
  });

  it("keeps a stack written with the earlier provider text working: no changes planned, then a rename and a destroy", async () => {
    await using backend = await startTestBackend();
    let earlier = true;
    let deskName = "John's Desk Phone";
    await using engine = await estateEngine(backend, async () => {
      if (earlier)
        pulumi.runtime.registerStackTransformation(({ type, props, opts }) => {
          const kind = kindOf[type.split(":").at(-1) ?? ""];
          return kind ? { props: { ...props, __provider: earlierShim(kind) }, opts } : undefined;
        });
      johnEstate({ deskName });
    });
    await engine.up();
    expect(engine.stateFile()).toContain("m().check(...a)");

    earlier = false;
    const preview = await engine.preview({ expectNoChanges: true });
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
    deskName = "John's Desk Phone (moved)";
    const up = await engine.up();
    expect(up.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.name])).toEqual([["update", "john-desk"]]);
    expect((await backend.call<{ name: string }[]>("GET", "/v1/devices")).body.map((d) => d.name)).toContain(deskName);
    await engine.destroy();
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toEqual([]);
  });
});
