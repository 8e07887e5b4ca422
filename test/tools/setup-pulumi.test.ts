/**
 * How `npm run setup:pulumi` and every run find the CLI: the binary PBX_ESTATE_PULUMI names comes first; a
 * new-enough `pulumi` on PATH is used, an older one is not; with neither a CLI nor Go the user is told what to
 * install. Fake `pulumi` scripts stand in for other installs; the engine suites run the real pinned CLI.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { versionInGoMod, versionModule, versionModuleText } from "../../tools/pulumi-cli/go-mod.ts";
import {
  compareVersions,
  locatePulumi,
  NamedPulumiUnusableError,
  pinnedPulumiVersion,
} from "../../tools/pulumi-cli/locate.ts";
import { repoRoot } from "../engine/harness.ts";

let scratch: string;
const saved = {
  PATH: process.env.PATH,
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  PBX_ESTATE_PULUMI: process.env.PBX_ESTATE_PULUMI,
};

function fakePulumi(version: string): string {
  const bin = join(scratch, `pulumi-${version}`);
  mkdirSync(bin);
  writeFileSync(join(bin, "pulumi"), `#!/bin/sh\necho ${version}\n`);
  chmodSync(join(bin, "pulumi"), 0o755);
  return bin;
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "setup-pulumi-"));
  process.env.XDG_CACHE_HOME = join(scratch, "empty-cache");
});
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.PBX_ESTATE_PULUMI === undefined) delete process.env.PBX_ESTATE_PULUMI;
  else process.env.PBX_ESTATE_PULUMI = saved.PBX_ESTATE_PULUMI;
  if (saved.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
  rmSync(scratch, { recursive: true, force: true });
});

describe("locating the Pulumi CLI", () => {
  it("ships the version pinned in the wrapper Go module, generated from its go.mod", () => {
    expect(pinnedPulumiVersion()).toMatch(/^v3\.\d+\.\d+$/);
    expect(pinnedPulumiVersion()).toBe(versionInGoMod());
    // A go.mod bumped without `npm run build` leaves the shipped module stale: this fails until it is rebuilt.
    expect(readFileSync(versionModule, "utf8")).toBe(versionModuleText(versionInGoMod()));
  });

  it("uses the binary PBX_ESTATE_PULUMI names ahead of PATH, and refuses one that is too old or missing", async () => {
    process.env.PATH = `${fakePulumi("v3.999.0")}:/usr/bin:/bin`;
    const named = join(fakePulumi("v3.300.0"), "pulumi");
    process.env.PBX_ESTATE_PULUMI = named;
    expect(await locatePulumi("v3.274.1")).toMatchObject({ source: "variable", version: "v3.300.0", binary: named });
    process.env.PBX_ESTATE_PULUMI = join(fakePulumi("v3.100.0"), "pulumi");
    await expect(locatePulumi("v3.274.1")).rejects.toThrow(
      /is Pulumi v3\.100\.0; pbx-estate needs v3\.274\.1 or newer/,
    );
    process.env.PBX_ESTATE_PULUMI = join(scratch, "no-such-pulumi");
    await expect(locatePulumi("v3.274.1")).rejects.toThrow(NamedPulumiUnusableError);
  });

  it("orders versions numerically, not as text", () => {
    expect(compareVersions("v3.274.1", "v3.99.0")).toBe(1);
    expect(compareVersions("v3.274.1", "3.274.1")).toBe(0);
    expect(compareVersions("v3.274.0", "v3.274.1")).toBe(-1);
  });

  it("uses a pulumi on PATH that is at least the pinned version", async () => {
    const bin = fakePulumi("v3.999.0");
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    expect(await locatePulumi("v3.274.1")).toMatchObject({ source: "path", version: "v3.999.0", binDir: bin });
  });

  it("ignores an older pulumi on PATH", async () => {
    process.env.PATH = `${fakePulumi("v3.100.0")}:/usr/bin:/bin`;
    expect(await locatePulumi("v3.274.1")).toBeUndefined();
  });

  it("without a CLI or Go, setup fails naming the official installer", () => {
    const node = process.execPath;
    const result = spawnSync(node, [join(repoRoot, "tools", "setup-pulumi.ts")], {
      env: {
        PATH: `${fakePulumi("v3.1.0")}:${dirname(node)}`,
        XDG_CACHE_HOME: join(scratch, "empty-cache"),
        HOME: scratch,
      },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Go is not installed");
    expect(result.stderr).toContain("official installer");
  });
});
