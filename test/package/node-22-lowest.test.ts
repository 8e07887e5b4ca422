// The packed package on the lowest Node that package.json's engines accepts.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { enginesMinimum, nodesUnderTest, packedTarball } from "./harness.ts";
import { describeInstalledPackage } from "./installed-package.ts";

it("tests the very Node that engines names as the lowest", () => {
  expect(nodesUnderTest().lowest.version).toBe(enginesMinimum());
});

it("packs built JavaScript and declarations with what runs need, and no TypeScript source, test or benchmark", async () => {
  const listed = spawnSync("tar", ["tzf", await packedTarball()], { encoding: "utf8" });
  expect(listed.status, listed.stderr).toBe(0);
  const files = listed.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""));
  expect(files.filter((file) => /\.[cm]?ts$/.test(file) && !file.endsWith(".d.ts"))).toEqual([]);
  expect(
    files.filter((file) => /^(test|bench)\//.test(file) || file.includes("/test/") || /\.test\./.test(file)),
  ).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "dist/provider.mjs",
      "dist/sdk/index.js",
      "dist/sdk/index.d.ts",
      "dist/cli/pbx-estate/main.js",
      "dist/backend/cli/main.js",
      "dist/tools/pulumi-cli/version.js",
      "schemas/estate.schema.json",
      "registrar/install-debian.sh",
    ]),
  );
});

describeInstalledPackage("lowest");
