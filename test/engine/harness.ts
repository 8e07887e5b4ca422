/**
 * A throwaway Pulumi workspace for one test, driven through the Automation API against the real CLI:
 * inline program, file state backend in a temp folder, private PULUMI_HOME, passphrase secrets, no update
 * checks, no plugin downloads, and the dynamic-provider plugin from node_modules on PATH.
 *
 * Each operation returns the engine's structured step events so tests assert on the kind and order of
 * steps instead of scraping output. Use it with `await using` so it is removed even when a test fails.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  type ConfigMap,
  type EngineEvent,
  LocalWorkspace,
  type OpType,
  type PulumiFn,
  type Stack,
  type StepEventMetadata,
} from "@pulumi/pulumi/automation/index.js";
import { createEngineWorkspace, engineCli, engineEnvironment, packageRoot } from "../../cli/engine-environment.ts";
import { fileBackendUrl } from "../../cli/pbx-estate/state-location.ts";
import { isolateSdkChannels } from "../../cli/sdk-channels.ts";

export const repoRoot = packageRoot;

isolateSdkChannels();

/** One resource step as the engine reported it. */
export interface EngineStep {
  op: OpType;
  urn: string;
  type: string;
  /** The resource's logical name (last URN segment). */
  name: string;
  /**
   * Top-level properties that changed: the provider's own diff keys when it reports them, otherwise the
   * keys whose values differ between the old and new inputs (or, for a refresh, outputs) in the event.
   * Dynamic providers report no per-property diff, so the engine leaves `diffs` empty for them.
   */
  diffs: string[];
  /** Properties whose change forces a replacement. */
  replaceKeys: string[];
}

export interface EngineRun {
  /** Steps in the order the engine finished them; the stack and default providers are left out. */
  steps: EngineStep[];
  /** Everything the engine printed, for secret-leak checks. */
  output: string;
  diagnostics: string[];
}

export class EngineRunError extends Error {
  readonly run: EngineRun;
  /** The CLI's exit code when it reported one (7: changes found with `--expect-no-changes`). */
  readonly exitCode: number | undefined;
  constructor(message: string, run: EngineRun, options?: ErrorOptions) {
    super(message, options);
    this.run = run;
    const code = /exit code (\d+)/.exec(message)?.[1];
    this.exitCode = code === undefined ? undefined : Number(code);
  }
}

export interface EngineWorkspaceOptions {
  program: PulumiFn;
  projectName?: string;
  stackName?: string;
  config?: ConfigMap;
  /** Extra environment for the CLI and the plugins it starts. */
  env?: Record<string, string>;
  /** Folders searched before everything else on the CLI's PATH (for a plugin wrapper, say). */
  pathFirst?: string[];
}

interface RunOptions {
  expectNoChanges?: boolean;
  parallel?: number;
}

const internalProperties = new Set(["__provider"]);

function changedKeys(before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !internalProperties.has(k) && !isDeepStrictEqual(before[k], after[k]));
}

function changedProperties(meta: StepEventMetadata): string[] {
  if (!meta.old || !meta.new) return [];
  // What the CLI shows for a provider without a detailed diff: the declared inputs that changed; a refresh
  // leaves inputs alone, so there the outputs read back are what changed.
  const inputs = changedKeys(meta.old.inputs, meta.new.inputs);
  if (inputs.length > 0 || !Object.keys(meta.new.outputs ?? {}).length) return inputs.sort();
  return changedKeys(meta.old.outputs, meta.new.outputs).sort();
}

function isUserResource(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}

export class EngineWorkspace implements AsyncDisposable {
  readonly stack: Stack;
  /** Folder of the file state backend; `stateFile()` reads the stack's checkpoint from it. */
  readonly stateDir: string;
  private readonly scratch: string[];

  private constructor(stack: Stack, stateDir: string, scratch: string[]) {
    this.stack = stack;
    this.stateDir = stateDir;
    this.scratch = scratch;
  }

  static async create(options: EngineWorkspaceOptions): Promise<EngineWorkspace> {
    // A missing CLI fails here, with what to install: no engine test is ever skipped silently.
    const { command, binDir } = await engineCli();
    const temp = mkdtempSync(join(tmpdir(), "pbx-engine-"));
    const stateDir = join(temp, "state");
    const pulumiHome = join(temp, "home");
    mkdirSync(stateDir);
    mkdirSync(pulumiHome);
    const workDir = createEngineWorkspace("test");

    const backendUrl = fileBackendUrl(stateDir);
    const envVars: Record<string, string> = {
      ...engineEnvironment({ workDir, binDir, pulumiHome, pathFirst: options.pathFirst ?? [] }),
      PULUMI_BACKEND_URL: backendUrl,
      PULUMI_CONFIG_PASSPHRASE: "engine-harness-passphrase",
      ...options.env,
    };
    const projectName = options.projectName ?? "engine-test";
    const stack = await LocalWorkspace.createStack(
      { projectName, stackName: options.stackName ?? "test", program: options.program },
      {
        workDir,
        pulumiCommand: command,
        envVars,
        projectSettings: { name: projectName, runtime: "nodejs", backend: { url: backendUrl } },
      },
    );
    if (options.config) await stack.setAllConfig(options.config);
    return new EngineWorkspace(stack, stateDir, [temp, workDir]);
  }

  /** Replaces the inline program for the next operation (the "edit the code" step of a test). */
  setProgram(program: PulumiFn): void {
    this.stack.workspace.program = program;
  }

  async up(options: RunOptions = {}): Promise<EngineRun> {
    return this.runProgram("up", (program, onEvent, onOutput) =>
      this.stack.up({ program, onEvent, onOutput, ...(options.parallel ? { parallel: options.parallel } : {}) }),
    );
  }

  async preview(options: RunOptions = {}): Promise<EngineRun> {
    return this.runProgram("preview", (program, onEvent, onOutput) =>
      this.stack.preview({ program, onEvent, onOutput, expectNoChanges: options.expectNoChanges ?? false }),
    );
  }

  /** `pulumi refresh --preview-only`: what a refresh would change, without writing state. */
  async refreshPreview(options: RunOptions = {}): Promise<EngineRun> {
    return this.run("refresh-preview", (onEvent, onOutput) =>
      this.stack.previewRefresh({ onEvent, onOutput, expectNoChanges: options.expectNoChanges ?? false }),
    );
  }

  async refresh(): Promise<EngineRun> {
    return this.run("refresh", (onEvent, onOutput) => this.stack.refresh({ onEvent, onOutput }));
  }

  async destroy(): Promise<EngineRun> {
    return this.run("destroy", (onEvent, onOutput) => this.stack.destroy({ onEvent, onOutput }));
  }

  /** The stack's checkpoint as stored by the file backend (secrets stay encrypted in it). */
  stateFile(): string {
    const stacksDir = join(this.stateDir, ".pulumi", "stacks");
    const files = readdirSync(stacksDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
    return files.map((f) => readFileSync(join(stacksDir, f), "utf8")).join("\n");
  }

  /**
   * An operation that runs the program, failing when the program never ran: the Node SDK can end an
   * inline run "successfully" without starting it (see provider/removal-guards.ts), and a test must then
   * fail saying so instead of passing on an empty run.
   */
  private async runProgram(
    what: string,
    operation: (
      program: PulumiFn,
      onEvent: (e: EngineEvent) => void,
      onOutput: (s: string) => void,
    ) => Promise<unknown>,
  ): Promise<EngineRun> {
    const program = this.stack.workspace.program;
    if (!program) throw new Error("the engine workspace has no program");
    let ran = false;
    const watched: PulumiFn = async () => {
      ran = true;
      return program();
    };
    const run = await this.run(what, (onEvent, onOutput) => operation(watched, onEvent, onOutput));
    if (!ran)
      throw new EngineRunError(
        `pulumi ${what}: the engine ran without the program (the Node SDK's silent inline-run failure)`,
        run,
      );
    return run;
  }

  private async run(
    what: string,
    operation: (onEvent: (e: EngineEvent) => void, onOutput: (s: string) => void) => Promise<unknown>,
  ): Promise<EngineRun> {
    const run: EngineRun = { steps: [], output: "", diagnostics: [] };
    const onEvent = (event: EngineEvent) => {
      const meta = event.resOutputsEvent?.metadata;
      if (meta && isUserResource(meta.type)) {
        run.steps.push({
          op: meta.op,
          urn: meta.urn,
          type: meta.type,
          name: meta.urn.split("::").pop() ?? meta.urn,
          diffs: meta.diffs?.length ? meta.diffs : changedProperties(meta),
          replaceKeys: meta.keys ?? [],
        });
      }
      const diag = event.diagnosticEvent;
      if (diag) run.diagnostics.push(`${diag.severity}: ${diag.message.trim()}`);
    };
    const onOutput = (text: string) => {
      run.output += text;
    };
    try {
      await operation(onEvent, onOutput);
      return run;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The CLI's own summary is enough to read a failure; the full output stays on `run.output`.
      const diagnostics = /Diagnostics:[\s\S]*?(?=\n\S|$)/.exec(message)?.[0];
      const exit = /exit code \d+/.exec(message)?.[0] ?? "failed";
      throw new EngineRunError(`pulumi ${what}: ${exit}\n${diagnostics ?? message.slice(0, 2000)}`, run, {
        cause: error,
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.stack.workspace.removeStack(this.stack.name, { force: true });
    } catch {
      // The backend folder is deleted below anyway; a failed stack removal leaves nothing behind.
    }
    for (const dir of this.scratch) rmSync(dir, { recursive: true, force: true });
  }
}
