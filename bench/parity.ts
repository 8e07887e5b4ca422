// `npm run bench:parity [-- --cases 24 --seed S --cases-per-stack 4]` → bench/results/parity.json.
// Many more generated parity cases than `npm test` runs (test/cli/parity): stacks with seeds S, S+1, …, each
// started by an apply or by `export`, then `--cases-per-stack` cases each (edits to the files, changes in the
// portal, `plan`/`drift` on the read path and with `--engine` compared field by field, then an apply), until
// `--cases` cases have run. Without `--seed` a fresh one is drawn and reported. Exit 1 when any case differs
// or any apply failed half-way (after a plan that showed no refusal, it had started changing things).
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startTestBackend } from "../test/provider/harness.ts";
import { runParityStack, type StackOutcome } from "../test/cli/parity/parity-run.ts";
import { freshSeed } from "../test/cli/parity/random.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "24" },
    seed: { type: "string" },
    "cases-per-stack": { type: "string", default: "4" },
  },
});
const wholeNumber = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number of at least 1`);
  return n;
};
const totalCases = wholeNumber("cases", values.cases);
const perStack = wholeNumber("cases-per-stack", values["cases-per-stack"]);
const firstSeed = values.seed === undefined ? freshSeed() : Number(values.seed);
if (!Number.isInteger(firstSeed) || firstSeed < 0) throw new Error("--seed takes a whole number");

const startedAt = new Date().toISOString();
const began = performance.now();
const stacks: StackOutcome[] = [];
const stackFailures: { seed: number; error: string }[] = [];
// The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
const backend = await startTestBackend({ clockStart: new Date().toISOString() });
try {
  let run = 0;
  for (let seed = firstSeed; run < totalCases; seed++) {
    const cases = Math.min(perStack, totalCases - run);
    run += cases;
    try {
      stacks.push(
        await runParityStack({ backend, seed, cases, log: (line) => console.error(`[bench:parity] ${line}`) }),
      );
    } catch (error) {
      // A stack that could not start (its export or first apply failed) is reported, and the run goes on.
      stackFailures.push({ seed, error: error instanceof Error ? error.message : String(error) });
      console.error(`[bench:parity] seed ${seed}: ${stackFailures.at(-1)!.error}`);
    }
  }
} finally {
  await backend[Symbol.asyncDispose]();
}

const cases = stacks.flatMap((s) => s.cases.map((c) => ({ seed: s.seed, ...c })));
const differences = cases.filter((c) => c.difference !== null);
const report = {
  benchmark: "parity",
  startedAt,
  seconds: Math.round((performance.now() - began) / 100) / 10,
  options: { cases: totalCases, seed: firstSeed, casesPerStack: perStack },
  seeds: stacks.map((s) => ({ seed: s.seed, start: s.start, cases: s.cases.length })),
  casesRun: cases.length,
  differencesFound: differences.length,
  appliesFailed: cases.filter((c) => c.applyFailure !== null).length,
  appliesFailedHalfWay: cases.filter((c) => c.appliedHalfWay).length,
  targets: { differencesFound: 0, appliesFailedHalfWay: 0 },
  met: {
    differencesFound: differences.length === 0,
    appliesFailedHalfWay: cases.every((c) => !c.appliedHalfWay),
  },
  differences: differences.map((c) => ({ seed: c.seed, case: c.case, message: c.difference })),
  applyFailures: cases
    .filter((c) => c.applyFailure !== null)
    .map((c) => ({
      seed: c.seed,
      case: c.case,
      halfWay: c.appliedHalfWay,
      failure: c.applyFailure,
      changes: c.changes,
    })),
  stackFailures,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/parity.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.error(
  `[bench:parity] ${cases.length} cases from seed ${firstSeed}: ${differences.length} differences, ` +
    `${report.appliesFailed} applies failed (${report.appliesFailedHalfWay} half-way), ` +
    `${stackFailures.length} stacks failed to start; wrote bench/results/parity.json`,
);
if (differences.length > 0 || stackFailures.length > 0 || report.appliesFailedHalfWay > 0) process.exitCode = 1;
