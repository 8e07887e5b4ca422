/**
 * The environment the Pulumi CLI runs in for this project's Automation API programs: the pinned CLI,
 * Node 22 and the dynamic-provider plugin from node_modules first on PATH, no update checks and no plugin
 * downloads. Shared by the demo, the pbx-estate CLI and the engine test harness.
 */
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { locatePulumi, pinnedPulumiVersion } from "../tools/pulumi-cli/locate.ts";

/** The package root: workspaces must live below it so the plugin and the provider shim resolve from it. */
export const packageRoot = resolve(import.meta.dirname, "..");

export class PulumiCliUnavailableError extends Error {}

export interface EngineCli {
  command: PulumiCommand;
  binDir: string;
}

export async function engineCli(): Promise<EngineCli> {
  const pinned = pinnedPulumiVersion();
  const cli = await locatePulumi(pinned);
  if (!cli) {
    throw new PulumiCliUnavailableError(
      `No Pulumi CLI ${pinned} or newer was found. Run \`npm run setup:pulumi\` (needs Go 1.26+ to build it), ` +
        `or install the Pulumi CLI with the official installer.`,
    );
  }
  const command = await PulumiCommand.get({ root: resolve(cli.binDir, "..") });
  return { command, binDir: cli.binDir };
}

export interface EngineEnvironmentOptions {
  binDir: string;
  /** A private PULUMI_HOME, so no user-wide plugins or credentials are used. */
  pulumiHome: string;
  /** Folders searched before everything else on PATH. */
  pathFirst?: string[];
}

export function engineEnvironment(options: EngineEnvironmentOptions): Record<string, string> {
  const path = [
    ...(options.pathFirst ?? []),
    join(packageRoot, "node_modules", ".bin"), // Node 22 from the `node` dev dependency comes first
    join(packageRoot, "node_modules", "@pulumi", "pulumi"), // pulumi-resource-pulumi-nodejs
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
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pbx-estate", "node-compile-cache"),
  };
}
