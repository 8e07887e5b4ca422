/**
 * One estate's stack on the Pulumi engine, run through the Automation API with the estate program inline:
 * the pinned CLI, the state location, and the backend's endpoint and token in the engine's environment
 * (never in stack config, so a refresh uses the credentials given now rather than those recorded in state),
 * with the service terms the estate accepts, under which the run's cancellations are made.
 *
 * The workspace folder is scratch, made per session below the package root (where the provider shim
 * resolves `pbx-estate/provider`) and removed afterwards: everything durable is in the state backend,
 * including the passphrase salt. Operations return the engine's structured events; failures become CLI
 * errors carrying the engine's error diagnostics, never its raw output.
 */
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CommandError,
  ConcurrentUpdateError,
  type EngineEvent,
  LocalWorkspace,
  type PulumiCommand,
  type PulumiFn,
  type Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation/index.js";
import type { ResolvedEstate } from "../../schemas/estate.ts";
import { estateProgram } from "../../estate/program/program.ts";
import { ESTATE_PROJECT } from "../../estate/program/project.ts";
import {
  PLANNED_REMOVALS_ENV,
  PLANNED_STEPS_ENV,
  settingsEnvironment,
  type PlannedSteps,
} from "../../provider/contract.ts";
import type { EstateAdoption } from "../../sdk/estate-resources.ts";
import {
  createEngineWorkspace,
  engineCli,
  engineEnvironment,
  PulumiCliUnavailableError,
} from "../engine-environment.ts";
import { isolateSdkChannels } from "../sdk-channels.ts";
import type { BackendCredentials } from "./backend-api.ts";
import { CliError, messageOf } from "./errors.ts";
import { ProgramMark } from "./program-mark.ts";
import { refuseEstateBeyondHeap } from "./program-memory.ts";
import { noStateMessage, type StateLocation } from "./state-location.ts";

export interface EngineTarget {
  estate: ResolvedEstate;
  /** Existing objects the estate's keys take over (export's adopting apply). */
  adopt?: EstateAdoption;
  stackName: string;
  state: StateLocation;
  backend: BackendCredentials;
}

export interface RunOptions {
  /** Called with every engine event as it arrives (progress); all events are also returned. */
  onEvent?: (event: EngineEvent) => void;
  parallel?: number;
}

export interface ChangeOptions extends RunOptions {
  /**
   * The ids of the objects the reviewed plan removes or replaces: the provider refuses to remove any other
   * (`provider/removal-guards.ts`). Without it, the engine's decision stands.
   */
  plannedRemovals?: readonly string[];
}

export interface UpOptions extends ChangeOptions {
  /** Read every resource again before the update (the default); false trusts state (see `refresh`). */
  refresh?: boolean;
  /**
   * The step the reviewed plan takes for each resource it creates, updates or replaces: the provider refuses
   * any other step (`provider/planned-steps.ts`). Without it, the engine's decision stands.
   */
  plannedSteps?: PlannedSteps;
}

isolateSdkChannels();

export class EngineSession implements AsyncDisposable {
  readonly stack: Stack;
  readonly target: EngineTarget;
  private readonly program: PulumiFn;
  private readonly workDir: string;

  private constructor(stack: Stack, target: EngineTarget, program: PulumiFn, workDir: string) {
    this.stack = stack;
    this.target = target;
    this.program = program;
    this.workDir = workDir;
  }

  /**
   * Opens the estate's stack. `mustExist` refuses a stack that was never created (drift, destroy): a
   * mistyped backend would otherwise look like an empty, perfectly synchronised estate.
   */
  static async open(target: EngineTarget, options: { mustExist: boolean }): Promise<EngineSession> {
    let cli;
    try {
      cli = await engineCli();
    } catch (error) {
      if (error instanceof PulumiCliUnavailableError) throw new CliError(error.message);
      throw error;
    }
    const workDir = createEngineWorkspace("run");
    const { backend } = target;
    const program = estateProgram(target.estate, target.adopt);
    const args = { projectName: ESTATE_PROJECT, stackName: target.stackName, program };
    const opts = workspaceOptions(
      target.state,
      workDir,
      cli,
      settingsEnvironment({
        endpoint: backend.endpoint,
        token: backend.token,
        readTimeoutMs: backend.readTimeoutMs,
        writeTimeoutMs: backend.writeTimeoutMs,
        // A delete sees only the terms state recorded; the run's cancellations accept the estate's.
        acceptTerms: target.estate.acceptTerms,
      }),
    );
    try {
      const stack = options.mustExist
        ? await LocalWorkspace.selectStack(args, opts)
        : await LocalWorkspace.createOrSelectStack(args, opts);
      return new EngineSession(stack, target, program, workDir);
    } catch (error) {
      rmSync(workDir, { recursive: true, force: true });
      if (error instanceof StackNotFoundError) {
        throw new CliError(noStateMessage(target.stackName, target.state));
      }
      throw engineFailure("open the stack", error, []);
    }
  }

  /**
   * Removes every lock of the estate's stack with the CLI's own state settings (the engine's `cancel`): the
   * locks of runs still going included, so the caller decides first (see commands/unlock.ts).
   */
  static async releaseLocks(stackName: string, state: StateLocation): Promise<void> {
    const cli = await engineCli().catch((error: unknown) => {
      throw error instanceof PulumiCliUnavailableError ? new CliError(error.message) : error;
    });
    const workDir = createEngineWorkspace("unlock");
    try {
      const args = { projectName: ESTATE_PROJECT, stackName, program: async () => {} };
      const stack = await LocalWorkspace.selectStack(args, workspaceOptions(state, workDir, cli, {}));
      await stack.cancel();
    } catch (error) {
      if (error instanceof StackNotFoundError)
        throw new CliError(`no state for estate ${stackName} in ${state.backendUrl}: there is nothing to unlock`);
      throw new CliError(
        `could not release the lock of estate ${stackName}: ${messageOf(error).split("\n").slice(0, 5).join("\n")}`,
      );
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  /** What `up` would do; with `refresh`, against the live objects rather than the recorded state. */
  preview(options: { refresh: boolean }): Promise<EngineEvent[]> {
    return this.runProgram("preview", (program, onEvent) =>
      this.stack.preview({ program, onEvent, refresh: options.refresh }),
    );
  }

  /** What a refresh would change in state: the live objects that differ from what was recorded. */
  previewRefresh(): Promise<EngineEvent[]> {
    return this.run("read the live objects", (onEvent) => this.stack.previewRefresh({ onEvent }));
  }

  previewDestroy(): Promise<EngineEvent[]> {
    return this.run("preview the removal", (onEvent) => this.stack.previewDestroy({ onEvent, refresh: true }));
  }

  /**
   * Reads the resources `urns` names again and records what is live (a targeted refresh): the others keep
   * what state records. Every URN must be in state. No program runs, nothing live changes.
   */
  refresh(urns: readonly string[], options: RunOptions = {}): Promise<EngineEvent[]> {
    if (urns.length === 0) return Promise.resolve([]);
    return this.run(
      "read the objects changed outside pbx-estate",
      (onEvent) =>
        this.stack.refresh({ onEvent, target: [...urns], ...(options.parallel ? { parallel: options.parallel } : {}) }),
      options.onEvent,
    );
  }

  up(options: UpOptions = {}): Promise<EngineEvent[]> {
    return this.runProgram(
      "apply",
      (program, onEvent) =>
        this.stack.up({
          program,
          onEvent,
          refresh: options.refresh ?? true,
          ...(options.parallel ? { parallel: options.parallel } : {}),
        }),
      options,
      this.stepsEnv(options.plannedSteps),
    );
  }

  destroy(options: ChangeOptions = {}): Promise<EngineEvent[]> {
    return this.withEnv(this.removalsEnv(options.plannedRemovals), () =>
      this.run(
        "destroy",
        (onEvent) =>
          this.stack.destroy({ onEvent, refresh: true, ...(options.parallel ? { parallel: options.parallel } : {}) }),
        options.onEvent,
      ),
    );
  }

  /**
   * An operation that runs the estate program, under a fresh program mark: the provider removes nothing
   * unless the program started, and a run that "succeeded" without it is reported as the failure it is.
   */
  private async runProgram(
    what: string,
    operation: (program: PulumiFn, onEvent: (event: EngineEvent) => void) => Promise<unknown>,
    options: ChangeOptions = {},
    guards: Record<string, string> = {},
  ): Promise<EngineEvent[]> {
    refuseEstateBeyondHeap(this.target.estate, this.target.adopt);
    // Node 22 runs this file without a transform, so no `using` here.
    const mark = new ProgramMark(this.workDir);
    try {
      return await this.withEnv({ ...mark.env, ...this.removalsEnv(options.plannedRemovals), ...guards }, async () => {
        const events = await this.run(
          what,
          (onEvent) => operation(mark.around(this.program), onEvent),
          options.onEvent,
        );
        if (!mark.made) {
          throw new CliError(
            `could not ${what}: the engine ran without the estate program (the Pulumi SDK lost its connection to ` +
              "the engine before starting it). Nothing was removed; run the command again.",
          );
        }
        return events;
      });
    } finally {
      mark[Symbol.dispose]();
    }
  }

  /** The provider's planned-removals variable for `ids`, written to a file of this session. */
  private removalsEnv(ids: readonly string[] | undefined): Record<string, string> {
    if (!ids) return {};
    const file = join(this.workDir, `planned-removals-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(ids));
    return { [PLANNED_REMOVALS_ENV]: file };
  }

  /** The provider's planned-steps variable for `steps`, written to a file of this session. */
  private stepsEnv(steps: PlannedSteps | undefined): Record<string, string> {
    if (!steps) return {};
    const file = join(this.workDir, `planned-steps-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(steps));
    return { [PLANNED_STEPS_ENV]: file };
  }

  /** Runs `operation` with `added` in the engine's environment (the plugin inherits it), and only it. */
  private async withEnv<T>(added: Record<string, string>, operation: () => Promise<T>): Promise<T> {
    const env = this.stack.workspace.envVars;
    Object.assign(env, added);
    try {
      return await operation();
    } finally {
      for (const key of Object.keys(added)) delete env[key];
    }
  }

  private async run(
    what: string,
    operation: (onEvent: (event: EngineEvent) => void) => Promise<unknown>,
    listener?: (event: EngineEvent) => void,
  ): Promise<EngineEvent[]> {
    const events: EngineEvent[] = [];
    try {
      await operation((event) => {
        events.push(event);
        listener?.(event);
      });
      return events;
    } catch (error) {
      throw engineFailure(what, error, events);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** The Automation API's workspace settings: the pinned CLI, the state location, and `env` for the plugin. */
function workspaceOptions(
  state: StateLocation,
  workDir: string,
  cli: { command: PulumiCommand; binDir: string },
  env: Record<string, string>,
) {
  return {
    workDir,
    pulumiCommand: cli.command,
    projectSettings: { name: ESTATE_PROJECT, runtime: "nodejs" as const, backend: { url: state.backendUrl } },
    envVars: {
      ...engineEnvironment({ workDir, binDir: cli.binDir, pulumiHome: state.pulumiHome }),
      PULUMI_BACKEND_URL: state.backendUrl,
      ...state.secretsEnv,
      ...env,
    },
  };
}

/**
 * The engine's own words for a failed operation: its error diagnostics per resource (debug diagnostics are
 * never read: they can carry provider payloads in plaintext), or the error lines of its output.
 */
function engineFailure(what: string, error: unknown, events: EngineEvent[]): CliError {
  if (error instanceof ConcurrentUpdateError) {
    // The engine names each holder as "created by user@host (pid N) at <time>"; a hosted backend names none.
    const holders = [...messageOf(error).matchAll(/created by (\S+) \(pid (\d+)\) at (\S+)/g)].map(
      (m) => `  held by ${m[1]}, pid ${m[2]}, since ${m[3]}`,
    );
    return new CliError(
      [
        `could not ${what}: another run holds the lock on this estate's stack; nothing was changed.`,
        ...new Set(holders),
        "Wait for that run to finish. If it was killed, `pbx-estate unlock` with the same files releases the lock",
        "(it shows who held it first, and refuses while that run is still going on this host).",
      ].join("\n"),
    );
  }
  // The same failure of many resources (a backend that stopped answering) is one line naming a few of them.
  const byMessage = new Map<string, string[]>();
  for (const d of events.map((e) => e.diagnosticEvent)) {
    if (d === undefined || d.severity !== "error") continue;
    const message = d.message.trim();
    if (/^(update|preview|refresh|destroy) failed$/.test(message)) continue;
    const name = d.urn && !d.urn.includes("pulumi:pulumi:Stack") ? d.urn.split("::").pop() : undefined;
    byMessage.set(message, [...(byMessage.get(message) ?? []), ...(name ? [name] : [])]);
  }
  const reasons = [...byMessage].map(([message, names]) => {
    if (names.length === 0) return message;
    const shown = names.slice(0, 3).join(", ");
    return `${shown}${names.length > 3 ? ` and ${names.length - 3} more` : ""}: ${message}`;
  });
  if (reasons.length === 0 && error instanceof CommandError) {
    reasons.push(
      ...messageOf(error)
        .split("\n")
        .filter((l) => /^\s*error:/.test(l))
        .map((l) => l.trim()),
    );
  }
  if (reasons.length === 0) reasons.push(messageOf(error).split("\n").slice(0, 20).join("\n"));
  return new CliError(`could not ${what}:\n  ${[...new Set(reasons)].slice(0, 20).join("\n  ")}`);
}
