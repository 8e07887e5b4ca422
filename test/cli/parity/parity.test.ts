/**
 * Parity of the two planning paths: on generated cases (estates, edits to their files, changes in the portal,
 * values not known until apply), `plan` and `drift` on the default read path equal `plan --engine` and
 * `drift --engine` step by step and field by field, plan files included. One stack adopted by `export` and
 * one applied from files, a few cases each (what fits in `npm test`); `npm run bench:parity` runs many more.
 * PBX_PARITY_SEED (and PBX_PARITY_CASES) replay the case a failure names.
 */
import { describe, expect, it } from "vitest";
import { startTestBackend } from "../../provider/harness.ts";
import { runParityStack, type StackStart } from "./parity-run.ts";

const replayed = process.env.PBX_PARITY_SEED;
const cases = Number(process.env.PBX_PARITY_CASES ?? 2);
// Fixed seeds, so `npm test` is the same run every time; other seeds are the benchmark's.
const stacks: { seed: number; start?: StackStart }[] =
  replayed === undefined
    ? [
        { seed: 20261114, start: "export" },
        { seed: 20261115, start: "apply" },
      ]
    : [{ seed: Number(replayed) }];

describe("plan and drift: the read path equals the engine path", () => {
  for (const { seed, start } of stacks) {
    it(`seed ${seed}: ${cases} cases on one stack${start ? `, started by ${start}` : ""}`, async () => {
      // The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
      await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
      const outcome = await runParityStack({ backend, seed, cases, ...(start ? { start } : {}) });
      expect(outcome.cases).toHaveLength(cases);
      for (const c of outcome.cases) if (c.difference) expect.fail(c.difference);
    });
  }
});
