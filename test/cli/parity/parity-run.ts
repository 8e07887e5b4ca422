/**
 * One stack's parity run: an estate brought under management (applied from generated files, or built by hand
 * in the portal and adopted by `export`), then case after case — edits to the files and changes in the
 * portal, then `plan` and `drift` on the default read path and with `--engine` (the oracle), compared step by
 * step and field by field (the JSON outputs, the plan files but for `createdAt`, the exit codes), then an
 * apply of one of the two plan files, so the next case starts from what was applied.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../../../backend/server.ts";
import { NUMBERS } from "../../provider/harness.ts";
import { cliProject, type CliProject, type CliResult } from "../harness.ts";
import { describeDifference, firstDifference, lineExcerpt } from "./compare.ts";
import { Allocator, editFiles, MAX_GENERATED_DEVICES, newEstate } from "./estate-edits.ts";
import { readExportedEstate, writeEstateFiles, type EstateFiles } from "./estate-files.ts";
import { Portal } from "./portal.ts";
import { changeInPortal } from "./portal-changes.ts";
import { Random } from "./random.ts";

export type StackStart = "apply" | "export";

export interface ParityOptions {
  backend: { url: string; backend: Pick<Backend, "createAccount"> };
  seed: number;
  cases: number;
  /** Progress lines (the benchmark prints them). */
  log?: (line: string) => void;
}

export interface CaseOutcome {
  case: number;
  changes: string[];
  /** The first difference between the read path and the engine path, as a readable message; null if none. */
  difference: string | null;
  /** Why the case's apply failed (the next case starts from what it left), or null. */
  applyFailure: string | null;
  /**
   * True when the apply failed after it had started changing things (exit 1). Refused before anything changed
   * (exit 3: the plan check or a stale plan) is what a plan with refusals predicts; half-way never is.
   */
  appliedHalfWay: boolean;
}

export interface StackOutcome {
  seed: number;
  stack: string;
  start: StackStart;
  cases: CaseOutcome[];
}

const TIME_ZONE = "Europe/London";
const accountDay = () => new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(new Date());

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON (a failed run): compared as text
  }
}

/**
 * A plan file but for `createdAt`. `plannedRemovals` is a set (the ids an apply may remove, checked by
 * membership) written in the order the engine's events arrived, which varies between two runs over the same
 * objects: compared sorted.
 */
function planFile(path: string): unknown {
  if (!existsSync(path)) return null;
  const { createdAt: _createdAt, ...rest } = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  if (Array.isArray(rest.plannedRemovals)) rest.plannedRemovals = (rest.plannedRemovals as string[]).toSorted();
  return rest;
}

interface Sides {
  what: string;
  read: unknown;
  engine: unknown;
}

/** plan and drift on both paths. Runs that straddle midnight in the account's zone are made again. */
async function bothPaths(project: CliProject, estate: string, dir: string): Promise<Sides[]> {
  for (;;) {
    const day = accountDay();
    const [readPlan, enginePlan] = [join(dir, "plan-read.json"), join(dir, "plan-engine.json")];
    const run = (args: string[]) => project.run(args);
    const plan: CliResult = await run(["plan", estate, "--json", "--out", readPlan]);
    const planEngine = await run(["plan", estate, "--json", "--engine", "--out", enginePlan]);
    const drift = await run(["drift", estate, "--json"]);
    const driftEngine = await run(["drift", estate, "--json", "--engine"]);
    if (accountDay() !== day) continue;
    return [
      { what: "plan exit code", read: plan.code, engine: planEngine.code },
      { what: "plan --json output", read: parsed(plan.stdout), engine: parsed(planEngine.stdout) },
      { what: "plan file (--out)", read: planFile(readPlan), engine: planFile(enginePlan) },
      { what: "drift exit code", read: drift.code, engine: driftEngine.code },
      { what: "drift --json output", read: parsed(drift.stdout), engine: parsed(driftEngine.stdout) },
    ];
  }
}

/** An account built by hand in the portal: `users` users with 0–3 devices each. */
async function buildByHand(random: Random, make: Allocator, portal: Portal, users: number): Promise<void> {
  for (let i = 0; i < users; i++) {
    const devices = random.int(0, MAX_GENERATED_DEVICES);
    const [licence, ...deviceLicences] = await portal.order([
      { product: "user-licence", callPlan: make.callPlan() },
      ...Array.from({ length: devices }, () => ({ product: "sip-device-licence" as const })),
    ]);
    const name = make.personName();
    const deviceIds: string[] = [];
    for (const l of deviceLicences) deviceIds.push((await portal.createDevice(make.deviceName(name), l.id)).id);
    await portal.createUser({
      name,
      extension: make.freshExtension(),
      licenceId: licence!.id,
      areaPrefix: make.areaPrefix(),
      outboundCallerId: make.callerId(),
      recording: make.recording(name),
      deviceIds,
    });
  }
}

function failure(what: string, result: CliResult): Error {
  return new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

export function replayHint(seed: number, cases: number): string {
  return (
    `replay: PBX_PARITY_SEED=${seed} PBX_PARITY_CASES=${cases} npx vitest run test/cli/parity` +
    ` — or npm run bench:parity -- --seed ${seed} --cases ${cases} --cases-per-stack ${cases}`
  );
}

export async function runParityStack(options: ParityOptions): Promise<StackOutcome> {
  const { seed, log = () => {} } = options;
  const random = new Random(seed);
  const make = new Allocator(random, NUMBERS);
  const stack = `parity-${seed}`;
  const start: StackStart = random.chance(0.5) ? "export" : "apply";
  const { token } = await options.backend.backend.createAccount({
    name: `Parity ${seed}`,
    timeZone: TIME_ZONE,
    numbers: NUMBERS,
  });
  const portal = new Portal(options.backend.url, token);
  const project = cliProject({ url: options.backend.url, token });
  const outcome: StackOutcome = { seed, stack, start, cases: [] };
  try {
    const estate = join(project.dir, "estate");
    let files: EstateFiles;
    if (start === "export") {
      await buildByHand(random, make, portal, random.int(2, 4));
      const exported = await project.run(["export", "--out", "estate", "--name", stack]);
      if (exported.code !== 0) throw failure(`seed ${seed}: export`, exported);
      files = readExportedEstate(join(estate, "estate.yaml"));
      // Defaults for the users the cases add (an exported user sets whatever differs from the defaults).
      files.estate.spec.defaults = {
        callPlan: make.callPlan(),
        areaPrefix: make.areaPrefix(),
        outboundCallerId: make.callerId(),
        ...files.estate.spec.defaults,
      };
    } else {
      files = newEstate(random, make, stack, random.int(2, 4));
      writeEstateFiles(estate, files);
      const applied = await project.run(["apply", estate, "--yes"]);
      if (applied.code !== 0) throw failure(`seed ${seed}: the first apply`, applied);
    }
    log(`seed ${seed}: stack ${stack} started by ${start} at ${Math.round(performance.now() / 1000)} s`);

    for (let n = 1; n <= options.cases; n++) {
      const changes = editFiles(random, make, files, random.int(1, 5));
      writeEstateFiles(estate, files);
      const inPortal = await changeInPortal(random, make, portal, files, random.int(1, 5));
      changes.push(...inPortal.said);
      const dir = join(project.dir, `case-${n}`);
      mkdirSync(dir);
      let difference: string | null = null;
      for (const sides of await bothPaths(project, estate, dir)) {
        const d = firstDifference(sides.read, sides.engine);
        if (!d) continue;
        difference = [
          `parity: seed ${seed}, case ${n} of stack ${stack} (started by ${start}): ${describeDifference(sides.what, d)}`,
          "the case:",
          ...changes.map((c) => `  - ${c}`),
          ...outcome.cases.filter((c) => c.applyFailure).map((c) => `earlier: case ${c.case}'s apply failed`),
          replayHint(seed, n),
          lineExcerpt(sides.read, sides.engine),
        ].join("\n");
        break;
      }
      // The next case starts from what was applied (the last case's apply would prove nothing more). Either
      // plan file applies: they are the same when parity holds, and interchangeable by design.
      let applyFailure: string | null = null;
      let appliedHalfWay = false;
      if (n < options.cases) {
        await inPortal.undo();
        const planned = join(dir, random.chance(0.5) ? "plan-read.json" : "plan-engine.json");
        const applied = await project.run([
          "apply",
          estate,
          ...(existsSync(planned) ? ["--plan", planned] : []),
          "--yes",
        ]);
        if (applied.code !== 0)
          applyFailure = `exit ${applied.code}: ${(applied.stderr || applied.stdout).trim().split("\n").slice(-3).join(" / ")}`;
        appliedHalfWay = applied.code === 1;
      }
      outcome.cases.push({ case: n, changes, difference, applyFailure, appliedHalfWay });
      log(
        `seed ${seed} case ${n}: ${changes.length} changes, ${difference ? "DIFFERENCE" : "equal"}` +
          `${applyFailure ? `, apply failed (${applyFailure})` : ""} at ${Math.round(performance.now() / 1000)} s`,
      );
    }
    return outcome;
  } finally {
    await project[Symbol.asyncDispose]();
  }
}
