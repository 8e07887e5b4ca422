// The packed package on the lowest Node that package.json's engines accepts.
import { expect, it } from "vitest";
import { enginesMinimum, nodesUnderTest } from "./harness.ts";
import { describeInstalledPackage } from "./installed-package.ts";

it("tests the very Node that engines names as the lowest", () => {
  expect(nodesUnderTest().lowest.version).toBe(enginesMinimum());
});

describeInstalledPackage("lowest");
