/**
 * The CLI as a user runs it: `pbx-estate` (from its sources) in its own process, in a throwaway project folder (so the
 * default state lands in `<folder>/.pbx-estate/`), against a real backend over HTTP. Results are the exit
 * code and the two output streams.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineCli } from "../../cli/engine-environment.ts";
import { fileBackendUrl } from "../../cli/pbx-estate/state-location.ts";
import { repoRoot } from "../engine/harness.ts";
import type { TestBackend } from "../provider/harness.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProject extends AsyncDisposable {
  dir: string;
  /** Copies an example's files into the project folder and returns that folder. */
  example(name: string): string;
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Starts a run in its own process group (so a test can kill it with everything it started). */
  start(args: string[], env?: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> };
}

const bin = join(repoRoot, "cli", "pbx-estate", "main.ts");

/** The caller's Pulumi and backend settings are not the test's. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PULUMI_|PBX_)/.test(key)) env[key] = value;
  }
  return env;
}

/** A project folder whose CLI runs talk to `backend` (PBX_ENDPOINT / PBX_TOKEN), unless `env` says otherwise. */
export function cliProject(backend: Pick<TestBackend, "url" | "token"> | undefined): CliProject {
  const dir = mkdtempSync(join(tmpdir(), "pbx-cli-"));
  return {
    dir,
    example(name) {
      const target = join(dir, name);
      cpSync(join(repoRoot, "examples", name), target, { recursive: true });
      return target;
    },
    run(args, env = {}) {
      return runCli(args, env, false).done;
    },
    start(args, env = {}) {
      return runCli(args, env, true);
    },
    [Symbol.asyncDispose]: async () => rmSync(dir, { recursive: true, force: true }),
  };

  function runCli(
    args: string[],
    env: Record<string, string>,
    detached: boolean,
  ): { child: ChildProcess; done: Promise<CliResult> } {
    const credentials = backend ? { PBX_ENDPOINT: backend.url, PBX_TOKEN: backend.token } : {};
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { ...baseEnv(), ...credentials, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<CliResult>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    return { child, done };
  }
}

/** The JSON document a `--json` run printed. */
export function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** A readable failure message for an unexpected exit code. */
export function described(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** The SIP passwords the project's default state holds, decrypted with its passphrase (for leak checks). */
export async function statePasswords(project: CliProject, stack: string): Promise<string[]> {
  const { binDir } = await engineCli();
  const home = join(project.dir, ".pbx-estate");
  const child = spawn(
    join(binDir, "pulumi"),
    ["stack", "export", "--show-secrets", "-s", `organization/pbx-estate/${stack}`],
    {
      cwd: project.dir,
      env: {
        ...baseEnv(),
        PULUMI_HOME: join(home, "pulumi-home"),
        PULUMI_BACKEND_URL: fileBackendUrl(join(home, "state")),
        PULUMI_CONFIG_PASSPHRASE_FILE: join(home, "passphrase"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`pulumi stack export failed (${code})`);
  const exported = JSON.parse(out) as {
    deployment: { resources?: { outputs?: { sipPassword?: { plaintext?: string } } }[] };
  };
  return (exported.deployment.resources ?? [])
    .map((r) => r.outputs?.sipPassword?.plaintext)
    .filter((p): p is string => typeof p === "string")
    .map((p) => JSON.parse(p) as string)
    .filter((p) => p !== "");
}
