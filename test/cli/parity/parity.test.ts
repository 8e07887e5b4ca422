/**
 * Parity of the two planning paths: on generated cases (estates, edits to their files, changes in the portal,
 * values not known until apply), `plan` and `drift` on the default read path equal `plan --engine` and
 * `drift --engine` step by step and field by field, plan files included. `npm test` runs one stack of a few
 * cases (what fits in about three minutes): its seed starts it by `export` of an account built by hand, and
 * the cases add generated users and files beside the adopted ones. `npm run bench:parity` runs many more.
 * PBX_PARITY_SEED and PBX_PARITY_CASES replay the case a failure names.
 */
import { describe, expect, it } from "vitest";
import { startTestBackend } from "../../provider/harness.ts";
import { runParityStack } from "./parity-run.ts";

// A fixed seed, so `npm test` is the same run every time; other seeds are the benchmark's.
const seed = Number(process.env.PBX_PARITY_SEED ?? 20261114);
const cases = Number(process.env.PBX_PARITY_CASES ?? 2);

describe("plan and drift: the read path equals the engine path", () => {
  it(`seed ${seed}: ${cases} cases on one stack`, { timeout: 420_000 }, async () => {
    // The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    const outcome = await runParityStack({ backend, seed, cases });
    expect(outcome.cases).toHaveLength(cases);
    for (const c of outcome.cases) if (c.difference) expect.fail(c.difference);
  });
});
