/**
 * The scratch folder an Automation API program runs in, shared by the CLI, the demo, the engine test
 * harness and the benchmarks.
 *
 * The engine starts the dynamic-provider plugin with this folder as its working directory. The plugin's
 * launcher finds `@pulumi/pulumi` from there, and every resource's frozen provider shim finds
 * `pbx-estate/provider` from there (sdk/provider-shim.ts); both by Node's module resolution. So the folder
 * links to the copies this process resolves — in an installed tree npm hoists `@pulumi/pulumi`, and this
 * package's own folder may be read-only (a global install) — and to the Node running this process, so the
 * plugin runs the same Node as the CLI.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { packageRoot } from "../runtime/package-info.ts";

const require = createRequire(import.meta.url);

/** The `@pulumi/pulumi` this process uses (and so the one copy a user's tree should hold). */
export const pulumiSdkRoot = dirname(require.resolve("@pulumi/pulumi/package.json"));

/** The workspace's folder that goes first on the engine's PATH: it holds `node`, this process's Node. */
export function nodeBinDir(workDir: string): string {
  return join(workDir, ".node-bin");
}

/** A new, empty workspace in the system's temporary folder; the caller removes it when done. */
export function createEngineWorkspace(label: string): string {
  const workDir = mkdtempSync(join(tmpdir(), `pbx-estate-${label}-`));
  mkdirSync(join(workDir, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(packageRoot, join(workDir, "node_modules", "pbx-estate"), "dir");
  symlinkSync(pulumiSdkRoot, join(workDir, "node_modules", "@pulumi", "pulumi"), "dir");
  mkdirSync(nodeBinDir(workDir));
  symlinkSync(process.execPath, join(nodeBinDir(workDir), "node"));
  return workDir;
}
