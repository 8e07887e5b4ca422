/**
 * The Pulumi CLI version pinned by the wrapper Go module beside this file (the one place it is pinned), and
 * the generated module that ships it inside the package (./version.ts), since an installed package has
 * no go.mod to read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const wrapperModuleDir = import.meta.dirname;
export const versionModule = join(wrapperModuleDir, "version.ts");

export function versionInGoMod(): string {
  const goMod = readFileSync(join(wrapperModuleDir, "go.mod"), "utf8");
  const match = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\d+\.\d+\.\d+)/.exec(goMod);
  if (!match?.[1]) throw new Error(`tools/pulumi-cli/go.mod does not require github.com/pulumi/pulumi/pkg/v3`);
  return match[1];
}

export function versionModuleText(version: string): string {
  return [
    "// Generated from go.mod by `npm run build` (tools/pulumi-cli/go-mod.ts); do not edit.",
    "/** The Pulumi CLI version the repository builds and tests with: the lowest version a run accepts. */",
    `export const PULUMI_VERSION = ${JSON.stringify(version)};`,
    "",
  ].join("\n");
}

/** Rewrites ./version.ts from go.mod; true when it changed. */
export function writeVersionModule(): boolean {
  const text = versionModuleText(versionInGoMod());
  let current = "";
  try {
    current = readFileSync(versionModule, "utf8");
  } catch {
    // not generated yet
  }
  if (current === text) return false;
  writeFileSync(versionModule, text);
  return true;
}
