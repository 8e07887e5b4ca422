/**
 * The environment the Pulumi CLI runs in for this project's Automation API programs: the CLI found by
 * tools/pulumi-cli/locate.ts; this process's Node and the dynamic-provider plugin of the `@pulumi/pulumi`
 * it uses first on PATH; no update checks and no plugin downloads. Shared by the demo, the pbx-estate CLI,
 * the engine test harness and the benchmarks.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import {
  locatePulumi,
  NamedPulumiUnusableError,
  pinnedPulumiVersion,
  PULUMI_BINARY_VARIABLE,
} from "../tools/pulumi-cli/locate.ts";
import { nodeBinDir, pulumiSdkRoot } from "./engine-workspace.ts";

export { createEngineWorkspace } from "./engine-workspace.ts";
export { packageRoot } from "../runtime/package-info.ts";

export class PulumiCliUnavailableError extends Error {}

export interface EngineCli {
  command: PulumiCommand;
  binDir: string;
}

export async function engineCli(): Promise<EngineCli> {
  const pinned = pinnedPulumiVersion();
  let cli;
  try {
    cli = await locatePulumi(pinned);
  } catch (error) {
    if (error instanceof NamedPulumiUnusableError) throw new PulumiCliUnavailableError(error.message);
    throw error;
  }
  if (!cli) {
    throw new PulumiCliUnavailableError(
      `No Pulumi CLI ${pinned} or newer was found. Install it (https://www.pulumi.com/docs/install/) and put ` +
        `\`pulumi\` on PATH, or name its binary in ${PULUMI_BINARY_VARIABLE}. In a clone of pbx-estate, ` +
        "`npm run setup:pulumi` builds it (needs Go 1.26+).",
    );
  }
  const command = await PulumiCommand.get({ root: commandRoot(cli.binary) });
  return { command, binDir: cli.binDir };
}

/**
 * The folder `PulumiCommand.get({ root })` takes: it runs `<root>/bin/pulumi`. A binary elsewhere (named by
 * PBX_ESTATE_PULUMI, say `/opt/pulumi-3.280`) is reached through a link in a temporary folder named after it.
 */
function commandRoot(binary: string): string {
  if (basename(binary) === "pulumi" && basename(dirname(binary)) === "bin") return dirname(dirname(binary));
  const root = join(
    tmpdir(),
    `pbx-estate-pulumi-${process.getuid?.() ?? 0}-${createHash("sha256").update(binary).digest("hex").slice(0, 16)}`,
  );
  const link = join(root, "bin", "pulumi");
  if (!existsSync(link)) {
    mkdirSync(join(root, "bin"), { recursive: true });
    const partial = `${link}.partial-${process.pid}`;
    symlinkSync(binary, partial);
    renameSync(partial, link); // atomic: another process making the same link at once is harmless
  }
  return root;
}

export interface EngineEnvironmentOptions {
  /** The workspace the engine runs in (made by createEngineWorkspace). */
  workDir: string;
  binDir: string;
  /** A private PULUMI_HOME, so no user-wide plugins or credentials are used. */
  pulumiHome: string;
  /** Folders searched before everything else on PATH. */
  pathFirst?: string[];
}

export function engineEnvironment(options: EngineEnvironmentOptions): Record<string, string> {
  const path = [
    ...(options.pathFirst ?? []),
    nodeBinDir(options.workDir), // the plugin runs the Node that runs this process
    pulumiSdkRoot, // pulumi-resource-pulumi-nodejs
    options.binDir,
    process.env.PATH ?? "",
  ].join(delimiter);
  return {
    PATH: path,
    PULUMI_HOME: options.pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The dynamic-provider plugin is a fresh Node process per engine run and compiles its modules (the
    // TypeScript compiler among them, via @pulumi/pulumi) every time; V8's cache of them saves a second or two.
    NODE_COMPILE_CACHE:
      process.env.NODE_COMPILE_CACHE ??
      join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pbx-estate", "node-compile-cache"),
  };
}
