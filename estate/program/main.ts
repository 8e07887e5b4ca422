/**
 * The root Pulumi.yaml's program: `pulumi up` in the package folder applies the estate whose files or
 * folders are named by stack config `pbx-estate:paths` (comma-separated) or PBX_ESTATE_PATHS, with the
 * same program as the CLI. The stack must be named after the estate (`metadata.name`), as the CLI names
 * it, so both see the same stack and the same client references.
 */
import * as pulumi from "@pulumi/pulumi";
import { formatError, loadEstate } from "../files/index.ts";
import { estateProgram } from "./program.ts";

export default async () => {
  const named = new pulumi.Config("pbx-estate").get("paths") ?? process.env.PBX_ESTATE_PATHS ?? "";
  const paths = named
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (paths.length === 0)
    throw new Error(
      "name the estate's files: `pulumi config set pbx-estate:paths examples/small-office` (or PBX_ESTATE_PATHS)",
    );
  const loaded = await loadEstate(paths);
  if (!loaded.ok) throw new Error(`the estate files have problems:\n${loaded.errors.map(formatError).join("\n")}`);
  if (loaded.estate.name !== pulumi.getStack()) {
    throw new Error(
      `estate ${loaded.estate.name} belongs in stack ${loaded.estate.name} (one stack per estate), not ${pulumi.getStack()}`,
    );
  }
  return estateProgram(loaded.estate)();
};
