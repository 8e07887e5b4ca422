/**
 * Earlier versions of `npm start` applied examples/typescript as stack `small-office/demo`. The demo now
 * applies examples/small-office as stack `pbx-estate/small-office` (the CLI's project and stack), whose
 * users would collide with the old stack's extensions in the same backend data. When the old stack is
 * found in the demo's state, it is destroyed first; its licences go pending cancellation and the new
 * stack claims them back instead of ordering new ones.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";
import { engineCli, engineEnvironment } from "../cli/engine-environment.ts";
import { settingsEnvironment } from "../provider/contract.ts";
import type { StateLocation } from "../cli/pbx-estate/state-location.ts";

const OLD = { project: "small-office", stack: "demo" };

export async function removeOldDemoStack(
  state: StateLocation,
  backend: { endpoint: string; token: string },
  log: (line: string) => void,
): Promise<void> {
  const stateDir = state.localStateDir;
  if (stateDir === undefined || !existsSync(join(stateDir, ".pulumi", "stacks", OLD.project, `${OLD.stack}.json`)))
    return;
  log(
    `removing the earlier demo's stack ${OLD.project}/${OLD.stack} (examples/typescript) before applying examples/small-office …`,
  );
  const { command, binDir } = await engineCli();
  // The earlier demo's workspace (with the stack's config) beside the state, removed once the stack is gone.
  const workDir = join(dirname(stateDir), "workspace");
  mkdirSync(workDir, { recursive: true });
  try {
    const stack = await LocalWorkspace.selectStack(
      { projectName: OLD.project, stackName: OLD.stack, program: async () => ({}) },
      {
        workDir,
        pulumiCommand: command,
        projectSettings: { name: OLD.project, runtime: "nodejs", backend: { url: state.backendUrl } },
        envVars: {
          ...engineEnvironment({ workDir, binDir, pulumiHome: state.pulumiHome }),
          PULUMI_BACKEND_URL: state.backendUrl,
          ...state.secretsEnv,
          ...settingsEnvironment({ endpoint: backend.endpoint, token: backend.token }),
        },
      },
    );
    await stack.destroy();
    await stack.workspace.removeStack(OLD.stack);
  } catch (error) {
    throw new Error(
      `could not remove the earlier demo's stack ${OLD.project}/${OLD.stack}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  rmSync(workDir, { recursive: true, force: true });
}
